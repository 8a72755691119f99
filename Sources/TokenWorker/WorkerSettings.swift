public import FlutterbyeStore
public import Foundation
public import Logging
import SolanaCore
public import SolanaRPC

/// Every problem found in the worker's configuration, reported together so an operator fixes them in one go.
/// Messages name the variable and never contain a secret's value.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// One line per problem.
    public let problems: [String]

    public var description: String {
        "the configuration has \(problems.count) problem\(problems.count == 1 ? "" : "s"):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// The worker's settings, read from environment variables (the seeds' names where they exist). See the README's
/// table for each variable's meaning and default.
public struct WorkerSettings: Sendable {
    public var database: DatabaseConfiguration
    public var endpoints: [RPCEndpoint]
    public var sender: SenderConfiguration
    /// This process's name in job leases (default: host name and process id).
    public var workerID: String
    /// Jobs run at once.
    public var concurrency: Int
    /// How long a claimed job's lease lasts; it is renewed at a third of this.
    public var lease: Duration
    /// How long finished jobs are kept before they are pruned.
    public var retention: Duration
    /// The least severe log level written (FLUTTERBYE_LOG_LEVEL, default info).
    public var logLevel: Logger.Level

    /// Reads the settings from `environment`; `readFile` reads keypair files (injected so tests need no files).
    public init(environment: [String: String], readFile: (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) })
        throws(ConfigurationError)
    {
        var problems: [String] = []
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
            return raw
        }
        func integer(_ name: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
            guard let text = value(name) else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                problems.append("\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound), not '\(text)'")
                return fallback
            }
            return number
        }
        func keypair(file name: String) -> Keypair? {
            guard let path = value(name) else { return nil }
            do { return try Keypair(solanaKeypairJSON: try readFile(path)) } catch let error as SolanaCoreError {
                problems.append("\(name): the keypair file \(path) is not usable: \(error.message)")
            } catch {
                problems.append("\(name): cannot read the keypair file \(path): \(error.localizedDescription)")
            }
            return nil
        }

        // Database.
        var database: DatabaseConfiguration?
        if let url = value("DATABASE_URL") {
            do { database = try DatabaseConfiguration(url: url) } catch { problems.append("DATABASE_URL: \(error.message)") }
        } else {
            problems.append("DATABASE_URL is not set: the PostgreSQL URL, postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }

        // RPC endpoints: SOLANA_RPC_URL, several separated by commas for failover.
        var endpoints: [RPCEndpoint] = []
        let rate: Double? = value("SOLANA_RPC_REQUESTS_PER_SECOND").flatMap { text in
            guard let number = Double(text), number > 0 else {
                problems.append("SOLANA_RPC_REQUESTS_PER_SECOND must be a positive number, not '\(text)'")
                return nil
            }
            return number
        }
        if let urls = value("SOLANA_RPC_URL") {
            for url in urls.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !url.isEmpty {
                guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                    problems.append("SOLANA_RPC_URL: '\(RPCEndpoint(url: url))' is not an http(s) URL")
                    continue
                }
                endpoints.append(RPCEndpoint(url: url, requestsPerSecond: rate))
            }
        } else {
            problems.append("SOLANA_RPC_URL is not set: the JSON-RPC URL of a Solana node (several, comma-separated, for failover)")
        }

        // The fee payer: SOLANA_PRIVATE_KEY (base58 or a JSON array) or SOLANA_KEYPAIR_PATH, not both.
        var payer: Keypair?
        switch (value("SOLANA_PRIVATE_KEY"), value("SOLANA_KEYPAIR_PATH")) {
        case (.some, .some):
            problems.append("set only one of SOLANA_PRIVATE_KEY and SOLANA_KEYPAIR_PATH")
        case (.some(let secret), nil):
            do {
                payer = try Keypair(secretKeyText: secret)
            } catch {
                problems.append("SOLANA_PRIVATE_KEY is not a usable secret key: \(error.message)")
            }
        case (nil, .some):
            payer = keypair(file: "SOLANA_KEYPAIR_PATH")
        case (nil, nil):
            problems.append("no fee payer: set SOLANA_PRIVATE_KEY (base58 secret key) or SOLANA_KEYPAIR_PATH (a Solana CLI keypair file)")
        }
        let mintAuthority = keypair(file: "FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH")

        // The master seed of the per-job mint keys.
        var derivation: JobKeyDerivation?
        if let hex = value("FLUTTERBYE_MASTER_SEED") {
            do { derivation = try JobKeyDerivation(masterSeedHex: hex) } catch {
                problems.append("FLUTTERBYE_MASTER_SEED: \(error.message)")
            }
        } else {
            problems.append("FLUTTERBYE_MASTER_SEED is not set: at least 32 bytes of secret randomness as hex; it fixes every job's mint address, so keep it forever")
        }

        let concurrency = integer("FLUTTERBYE_WORKER_CONCURRENCY", default: 8, range: 1...256)
        let percentile = integer("FLUTTERBYE_PRIORITY_FEE_PERCENTILE", default: 75, range: 0...100)
        let maxFee = integer("FLUTTERBYE_MAX_PRIORITY_FEE", default: 1_000_000, range: 0...1_000_000_000)
        let leaseSeconds = integer("FLUTTERBYE_JOB_LEASE_SECONDS", default: 60, range: 5...3600)
        let retentionHours = integer("FLUTTERBYE_JOB_RETENTION_HOURS", default: 24 * 7, range: 1...24 * 3650)
        var metaplex = false
        if let flag = value("FLUTTERBYE_METAPLEX_METADATA") {
            switch flag.lowercased() {
            case "1", "true", "yes": metaplex = true
            case "0", "false", "no": metaplex = false
            default: problems.append("FLUTTERBYE_METAPLEX_METADATA must be true or false, not '\(flag)'")
            }
        }

        var logLevel = Logger.Level.info
        if let text = value("FLUTTERBYE_LOG_LEVEL") {
            if let level = Logger.Level(rawValue: text.lowercased()) { logLevel = level } else {
                problems.append("FLUTTERBYE_LOG_LEVEL must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            }
        }

        guard problems.isEmpty, let database, let payer, let derivation else { throw ConfigurationError(problems: problems) }
        self.database = database
        self.endpoints = endpoints
        self.sender = SenderConfiguration(
            payer: payer, mintAuthority: mintAuthority, mintDerivation: derivation,
            policy: SenderPolicy(priorityFeePercentile: percentile, maxPriorityFee: UInt64(maxFee)), metaplexMetadata: metaplex)
        self.workerID = value("FLUTTERBYE_WORKER_ID") ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        self.concurrency = concurrency
        self.lease = .seconds(leaseSeconds)
        self.retention = .seconds(retentionHours * 3600)
        self.logLevel = logLevel
    }
}
