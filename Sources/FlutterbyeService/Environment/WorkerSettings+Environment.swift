import FlutterbyeStore
public import Foundation
import SolanaCore
import SolanaRPC
public import TokenWorker

extension WorkerSettings {
    /// Reads the worker's settings from `environment` (the seeds' names where they exist), every problem at once;
    /// `readFile` reads keypair files (injected so tests need no files).
    public init(
        environment: ServiceEnvironment, readFile: (String) throws -> String = { try ConfigurationFile.text(atPath: $0) }
    )
        throws(ConfigurationError)
    {
        var reader = EnvironmentReader(environment)
        func value(_ name: String) -> String? { reader.value(name) }
        func keypair(file name: String) -> Keypair? {
            guard let path = value(name) else { return nil }
            guard !KeypairFileCheck.isKeyText(path) else {
                reader.problems.append(KeypairFileCheck.keyInsteadOfPath(name))
                return nil
            }
            do { return try Keypair(solanaKeypairJSON: try readFile(path)) } catch let error as SolanaCoreError {
                reader.problems.append("\(name): the keypair file \(path) is not usable: \(error.message)")
            } catch let error as ConfigurationFile.ReadError {
                reader.problems.append("\(name): cannot read the keypair file: \(error)")
            } catch {
                reader.problems.append("\(name): cannot read the keypair file \(path): \(error.localizedDescription)")
            }
            return nil
        }

        let database = reader.database()
        let endpoints = reader.endpoints()
        let pubSub = reader.pubSub(endpoints)

        // The fee payer: SOLANA_PRIVATE_KEY (base58 or a JSON array) or SOLANA_KEYPAIR_PATH, not both.
        var payer: Keypair?
        switch (value("SOLANA_PRIVATE_KEY"), value("SOLANA_KEYPAIR_PATH")) {
        case (.some, .some):
            reader.problems.append("set only one of SOLANA_PRIVATE_KEY and SOLANA_KEYPAIR_PATH")
        case (.some(let secret), nil):
            do {
                payer = try Keypair(secretKeyText: secret)
            } catch {
                reader.problems.append("SOLANA_PRIVATE_KEY is not a usable secret key: \(error.message)")
            }
        case (nil, .some):
            payer = keypair(file: "SOLANA_KEYPAIR_PATH")
        case (nil, nil):
            reader.problems.append("no fee payer: set SOLANA_PRIVATE_KEY (base58 secret key) or SOLANA_KEYPAIR_PATH (a Solana CLI keypair file)")
        }
        // The mint authority: MAINNET_MINT_AUTHORITY (the seeds' name: a secret key as SOLANA_PRIVATE_KEY takes it, or a
        // keypair file's path) or FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH, not both; the fee payer when neither is set.
        var mintAuthority: Keypair?
        switch (value("MAINNET_MINT_AUTHORITY"), value("FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH")) {
        case (.some, .some):
            reader.problems.append("set only one of MAINNET_MINT_AUTHORITY and FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH")
        case (.some(let text), nil) where KeypairFileCheck.isKeyText(text):
            do { mintAuthority = try Keypair(secretKeyText: text) } catch {
                reader.problems.append("MAINNET_MINT_AUTHORITY is not a usable secret key: \(error.message)")
            }
        case (.some(let path), nil):
            // A path, which is not a secret; the reason is left out (a file system message may repeat the value).
            do { mintAuthority = try Keypair(solanaKeypairJSON: try readFile(path)) } catch {
                reader.problems.append(
                    "MAINNET_MINT_AUTHORITY is neither a secret key (base58 or a [..] JSON array) nor a readable Solana CLI keypair file")
            }
        case (nil, .some):
            mintAuthority = keypair(file: "FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH")
        case (nil, nil):
            mintAuthority = nil
        }

        // The master seed of the per-job mint keys.
        var derivation: JobKeyDerivation?
        if let hex = value("FLUTTERBYE_MASTER_SEED") {
            do { derivation = try JobKeyDerivation(masterSeedHex: hex) } catch {
                reader.problems.append("FLUTTERBYE_MASTER_SEED: \(error.message)")
            }
        } else {
            reader.problems.append(
                "FLUTTERBYE_MASTER_SEED is not set: at least 32 bytes of secret randomness as hex; it fixes every job's mint address, so keep it forever"
            )
        }

        let maxInFlight = reader.integer("FLUTTERBYE_MAX_IN_FLIGHT", default: 512, range: 1...10_000)
        if value("FLUTTERBYE_WORKER_CONCURRENCY") != nil {
            reader.problems.append(
                "FLUTTERBYE_WORKER_CONCURRENCY is no longer read: the worker keeps up to FLUTTERBYE_MAX_IN_FLIGHT jobs in flight (default 512); set that instead, or remove it"
            )
        }
        let percentile = reader.integer("FLUTTERBYE_PRIORITY_FEE_PERCENTILE", default: 75, range: 0...100)
        let maxFee = reader.integer("FLUTTERBYE_MAX_PRIORITY_FEE", default: 1_000_000, range: 0...1_000_000_000)
        let leaseSeconds = reader.integer("FLUTTERBYE_JOB_LEASE_SECONDS", default: 60, range: 5...3600)
        let retentionHours = reader.integer("FLUTTERBYE_JOB_RETENTION_HOURS", default: 24 * 7, range: 1...24 * 3650)
        var metaplex = false
        if let flag = value("FLUTTERBYE_METAPLEX_METADATA") {
            switch flag.lowercased() {
            case "1", "true", "yes": metaplex = true
            case "0", "false", "no": metaplex = false
            default: reader.problems.append("FLUTTERBYE_METAPLEX_METADATA must be true or false, not '\(flag)'")
            }
        }

        var preflight = PreflightPolicy.whenFundsAreUncertain
        if let text = value("FLUTTERBYE_PREFLIGHT") {
            if let policy = PreflightPolicy(rawValue: text.lowercased()) {
                preflight = policy
            } else {
                reader.problems.append("FLUTTERBYE_PREFLIGHT must be auto or always, not '\(text)'")
            }
        }

        let logLevel = reader.logLevel()

        guard reader.problems.isEmpty, let database, let payer, let derivation else { throw ConfigurationError(problems: reader.problems) }
        self.init(
            database: database, endpoints: endpoints,
            sender: SenderConfiguration(
                payer: payer, mintAuthority: mintAuthority, mintDerivation: derivation,
                policy: SenderPolicy(priorityFeePercentile: percentile, maxPriorityFee: UInt64(maxFee)), metaplexMetadata: metaplex,
                requestsPerSecond: endpoints.compactMap(\.requestsPerSecond).min(), sendsPerSecond: endpoints.compactMap(\.sendsPerSecond).min(),
                preflight: preflight, pubSub: pubSub),
            workerID: value("FLUTTERBYE_WORKER_ID") ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)",
            maxInFlight: maxInFlight, lease: .seconds(leaseSeconds), retention: .seconds(retentionHours * 3600), logLevel: logLevel)
    }
}
