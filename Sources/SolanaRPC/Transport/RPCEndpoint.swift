import Foundation

/// One JSON-RPC endpoint and the call rates its provider's plan allows.
public struct RPCEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The HTTP(S) URL.
    public var url: String
    /// JSON-RPC calls per second this client sends at most (`nil`: unlimited), so it slows down before the provider
    /// answers 429. Calls, not HTTP requests: a batch of n calls counts n, as providers bill and cap them.
    public var requestsPerSecond: Double?
    /// sendTransaction calls per second this client sends at most (`nil`: unlimited), singly or inside batches, on
    /// top of `requestsPerSecond` (providers cap sends lower than reads).
    public var sendsPerSecond: Double?

    public init(url: String, requestsPerSecond: Double? = nil, sendsPerSecond: Double? = nil) {
        self.url = url
        self.requestsPerSecond = requestsPerSecond
        self.sendsPerSecond = sendsPerSecond
    }

    /// The URL's scheme, host and port only: providers put API keys in the query string, the path or the user part,
    /// and this is what errors and logs show.
    public var description: String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host?.lowercased(), !host.isEmpty
        else { return "(an unreadable URL)" }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)" + (parsed.port.map { ":\($0)" } ?? "")
    }
}

extension RPCEndpoint {
    /// The endpoints `SOLANA_RPC_URL` names (several, comma-separated, for failover), each limited to
    /// `SOLANA_RPC_REQUESTS_PER_SECOND` calls and `SOLANA_RPC_SENDS_PER_SECOND` sendTransaction calls a second when
    /// set, with a line per problem found (an unset or malformed variable).
    public static func fromEnvironment(_ environment: [String: String]) -> (endpoints: [RPCEndpoint], problems: [String]) {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
            return raw
        }
        var problems: [String] = []
        var endpoints: [RPCEndpoint] = []
        func positiveNumber(_ name: String) -> Double? {
            value(name).flatMap { text in
                guard let number = Double(text), number.isFinite, number > 0 else {
                    problems.append("\(name) must be a positive number, not '\(text)'")
                    return nil
                }
                return number
            }
        }
        let rate = positiveNumber("SOLANA_RPC_REQUESTS_PER_SECOND")
        let sendRate = positiveNumber("SOLANA_RPC_SENDS_PER_SECOND")
        if let urls = value("SOLANA_RPC_URL") {
            for url in urls.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !url.isEmpty {
                guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                    problems.append("SOLANA_RPC_URL: '\(RPCEndpoint(url: url))' is not an http(s) URL")
                    continue
                }
                endpoints.append(RPCEndpoint(url: url, requestsPerSecond: rate, sendsPerSecond: sendRate))
            }
        } else {
            problems.append("SOLANA_RPC_URL is not set: the JSON-RPC URL of a Solana node (several, comma-separated, for failover)")
        }
        return (endpoints, problems)
    }
}
