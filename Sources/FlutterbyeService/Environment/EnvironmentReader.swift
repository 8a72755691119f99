import FlutterbyeStore
import Foundation
import Logging
import SolanaRPC

/// Reads settings from a `ServiceEnvironment` and collects what is wrong with them, one line each, for
/// `ConfigurationError`: what every part's settings read alike. A blank value counts as unset; values are trimmed.
struct EnvironmentReader {
    let environment: ServiceEnvironment
    /// The problems found so far, one line each.
    var problems: [String] = []

    init(_ environment: ServiceEnvironment) {
        self.environment = environment
    }

    /// The trimmed value of `name`; nil when unset or blank.
    func value(_ name: String) -> String? {
        environment.value(name)
    }

    /// The first of `names` that is set, with its name (for the seeds' alternative names).
    func firstValue(_ names: [String]) -> (name: String, value: String)? {
        for name in names { if let value = value(name) { return (name, value) } }
        return nil
    }

    /// A whole number in `range`, `fallback` when unset.
    mutating func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let text = value(name) else { return fallback }
        guard let number = Int(text), range.contains(number) else {
            problems.append("\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound), not '\(text)'")
            return fallback
        }
        return number
    }

    /// A finite number above zero; nil when unset or not such a number.
    mutating func positiveNumber(_ name: String) -> Double? {
        guard let text = value(name) else { return nil }
        guard let number = Double(text), number.isFinite, number > 0 else {
            problems.append("\(name) must be a positive number, not '\(text)'")
            return nil
        }
        return number
    }

    /// `DATABASE_URL`, required.
    mutating func database() -> DatabaseConfiguration? {
        guard let url = value("DATABASE_URL") else {
            problems.append("DATABASE_URL is not set: the PostgreSQL URL, postgres://USER:PASSWORD@HOST:PORT/DATABASE")
            return nil
        }
        do { return try DatabaseConfiguration(url: url) } catch {
            problems.append("DATABASE_URL: \(error.message)")
            return nil
        }
    }

    /// The refusal of a URL in `name` whose user part was cut (`RPCEndpoint.hasCutUserPart`): nothing of it is shown.
    static func cutUserPart(_ name: String) -> String {
        "\(name): a URL has an @ after its host part: a / ? or # in its user name or password must be percent-encoded "
            + "(/ as %2F, ? as %3F, # as %23, @ as %40); the URL is not shown: it may carry a password"
    }

    /// The endpoints `SOLANA_RPC_URL` names (required; several, comma-separated, for failover), each limited to
    /// `SOLANA_RPC_REQUESTS_PER_SECOND` calls and `SOLANA_RPC_SENDS_PER_SECOND` sendTransaction calls a second when set.
    mutating func endpoints() -> [RPCEndpoint] {
        let rate = positiveNumber("SOLANA_RPC_REQUESTS_PER_SECOND")
        let sendRate = positiveNumber("SOLANA_RPC_SENDS_PER_SECOND")
        guard let urls = value("SOLANA_RPC_URL") else {
            problems.append("SOLANA_RPC_URL is not set: the JSON-RPC URL of a Solana node (several, comma-separated, for failover)")
            return []
        }
        var endpoints: [RPCEndpoint] = []
        for url in urls.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !url.isEmpty {
            guard !RPCEndpoint.hasCutUserPart(url) else {
                problems.append(Self.cutUserPart("SOLANA_RPC_URL"))
                continue
            }
            let endpoint = RPCEndpoint(url: url, requestsPerSecond: rate, sendsPerSecond: sendRate)
            if let port = endpoint.invalidPort {
                problems.append("SOLANA_RPC_URL: the port \(port) of '\(endpoint)' is not in \(RPCEndpoint.ports)")
                continue
            }
            guard endpoint.isHTTP else {
                problems.append("SOLANA_RPC_URL: '\(endpoint)' is not an http(s) URL")
                continue
            }
            endpoints.append(endpoint)
        }
        if urls.split(separator: ",").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            problems.append(
                "SOLANA_RPC_URL names no URL, only separators: set it to the JSON-RPC URL of a Solana node (several, comma-separated, for failover)")
        }
        return endpoints
    }

    /// `SOLANA_WS_URL`: the node's PubSub endpoint (ws or wss), `off` for none; by default derived from the first
    /// of `endpoints` as Solana's clients do (ws for http, wss for https, the port one higher when one is given).
    mutating func pubSub(_ endpoints: [RPCEndpoint]) -> PubSubEndpoint? {
        if let text = value("SOLANA_WS_URL") {
            if text.lowercased() == "off" { return nil }
            guard !RPCEndpoint.hasCutUserPart(text) else {
                problems.append(Self.cutUserPart("SOLANA_WS_URL"))
                return nil
            }
            guard let endpoint = PubSubEndpoint(url: text) else {
                if let port = RPCEndpoint.invalidPort(in: text) {
                    problems.append(
                        "SOLANA_WS_URL: the port \(port) is not in \(RPCEndpoint.ports) (the rest of the value is not shown: it may carry a key)")
                    return nil
                }
                problems.append("SOLANA_WS_URL must be a ws:// or wss:// URL, or off (the value is not shown: it may carry a key)")
                return nil
            }
            return endpoint
        }
        return endpoints.first.flatMap(PubSubEndpoint.init(derivedFrom:))
    }

    /// `FLUTTERBYE_LOG_LEVEL`, default info.
    mutating func logLevel() -> Logger.Level {
        guard let text = value("FLUTTERBYE_LOG_LEVEL") else { return .info }
        if let level = Logger.Level(rawValue: text.lowercased()) { return level }
        problems.append("FLUTTERBYE_LOG_LEVEL must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
        return .info
    }
}
