import FlutterbyeAPI
import FlutterbyeIndexer
import FlutterbyeService
import FlutterbyeStore
import Logging
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// The whole configuration read at once: every part's problems listed once each, in a stable order; blank values are
/// unset and values are trimmed, in every part; no secret's value reaches a problem.
struct ServiceConfigurationTests {
    @Test func anEmptyEnvironmentNamesEveryRequiredVariableOnce() {
        #expect {
            try ServiceConfiguration(environment: ServiceEnvironment([:]), parts: ServiceParts())
        } throws: { error in
            (error as? ConfigurationError)?.problems == [
                "DATABASE_URL is not set: the PostgreSQL URL, postgres://USER:PASSWORD@HOST:PORT/DATABASE",
                "SOLANA_RPC_URL is not set: the JSON-RPC URL of a Solana node (several, comma-separated, for failover)",
                "no fee payer: set SOLANA_PRIVATE_KEY (base58 secret key) or SOLANA_KEYPAIR_PATH (a Solana CLI keypair file)",
                "FLUTTERBYE_MASTER_SEED is not set: at least 32 bytes of secret randomness as hex; it fixes every job's mint address, so keep it forever",
                "FLBY_TOKEN_MINT is not set: the FLBY token mint's address",
                "API_TOKEN is not set: the job routes need a bearer token (at least 32 characters in production, e.g. openssl rand -hex 32)",
            ]
        }
        #expect {
            try ServiceConfiguration(
                environment: ServiceEnvironment(["FLUTTERBYE_LOG_LEVEL": "loud"]), parts: ServiceParts(indexer: false, worker: false, api: false))
        } throws: { error in
            (error as? ConfigurationError)?.problems == [
                "every part is switched off: nothing to run",
                "DATABASE_URL is not set: the PostgreSQL URL, postgres://USER:PASSWORD@HOST:PORT/DATABASE",
                "FLUTTERBYE_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, not 'loud'",
                "SOLANA_RPC_URL is not set: the JSON-RPC URL of a Solana node (several, comma-separated, for failover)",
            ]
        }
    }

    /// A `SOLANA_RPC_URL` of separators only names no endpoint: it is a problem listed with the others, not a start
    /// that fails later saying the variable is not set.
    @Test(arguments: [",", " , ", ",,,"])
    func anRPCURLOfSeparatorsOnlyIsAProblem(_ urls: String) {
        #expect {
            try ServiceConfiguration(
                environment: ServiceEnvironment(["DATABASE_URL": "postgres://u@db/flutterbye", "SOLANA_RPC_URL": urls]),
                parts: ServiceParts(indexer: true, worker: false, api: false))
        } throws: { error in
            (error as? ConfigurationError)?.problems.contains { $0.hasPrefix("SOLANA_RPC_URL") && $0.contains("no URL") } == true
        }
    }

    @Test func paddedValuesReadAsTheirTrimmedSelves() throws {
        let plain = ProductionPolicyTests.environment([
            "ESCROW_WALLET": "EscrwqVZTHgeyGoCVqtHhnRZrbx3HgAxGcBM3SpLMUN4", "FLUTTERBYE_LOG_LEVEL": "debug", "SOLANA_CLUSTER": "devnet",
            "FLUTTERBYE_MAX_IN_FLIGHT": "7", "FLUTTERBYE_INDEX_START_SLOT": "99", "FLUTTERBYE_API_PORT": "9090",
        ])
        let padded = plain.mapValues { " \t\($0)\n " }
        let expected = try ServiceConfiguration(environment: ServiceEnvironment(plain), parts: ServiceParts())
        let read = try ServiceConfiguration(environment: ServiceEnvironment(padded), parts: ServiceParts())
        #expect("\(read.database)" == "\(expected.database)")
        #expect(read.endpoints == expected.endpoints && read.logLevel == .debug && read.clusterName == "devnet")
        #expect(read.worker?.sender.payer.publicKey == expected.worker?.sender.payer.publicKey)
        #expect(read.worker?.maxInFlight == 7)
        #expect(read.indexer?.watched == expected.indexer?.watched && read.indexer?.start == .slot(99))
        #expect(read.api?.apiTokens == [ProductionPolicyTests.goodToken] && read.api?.port == 9090)
    }

    @Test func blankValuesAreUnset() throws {
        let blanks = [
            "FLUTTERBYE_LOG_LEVEL", "SOLANA_CLUSTER", "MAINNET_ESCROW_WALLET", "ESCROW_WALLET", "MAINNET_FEE_WALLET", "MAINNET_MINT_AUTHORITY",
            "FLUTTERBYE_INDEX_START_SLOT",
            "FLUTTERBYE_MAX_IN_FLIGHT",
            "FLUTTERBYE_API_PORT", "SOLANA_RPC_REQUESTS_PER_SECOND", "FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH", "FLUTTERBYE_WORKER_ID",
        ]
        let environment = ProductionPolicyTests.environment(Dictionary(uniqueKeysWithValues: blanks.map { ($0, " \n") }))
        let read = try ServiceConfiguration(environment: ServiceEnvironment(environment), parts: ServiceParts())
        #expect(read.logLevel == .info && read.clusterName == nil)
        #expect(read.indexer?.watched.escrowWallet == nil && read.indexer?.watched.feeWallet == nil && read.indexer?.start == .beginning)
        #expect(read.worker?.maxInFlight == 512 && read.api?.port == 8080 && read.endpoints.allSatisfy { $0.requestsPerSecond == nil })
        #expect(read.worker?.sender.mintAuthority.publicKey == ProductionPolicyTests.ownPayer.publicKey)
        #expect(read.worker?.workerID.isEmpty == false)
        #expect {
            try ServiceConfiguration(
                environment: ServiceEnvironment(ProductionPolicyTests.environment(["DATABASE_URL": "  "])), parts: ServiceParts())
        } throws: { error in
            (error as? ConfigurationError)?.problems == ["DATABASE_URL is not set: the PostgreSQL URL, postgres://USER:PASSWORD@HOST:PORT/DATABASE"]
        }
    }

    @Test func noSecretReachesAProblem() {
        let secrets = [
            "DATABASE_URL": "mysql://user:hunter2-db@db:5432/flutterbye",
            "SOLANA_RPC_URL": "ftp://user:hunter2-rpc@rpc.example/?api-key=hunter2-key",
            "SOLANA_PRIVATE_KEY": "hunter2-payer-not-base58",
            "FLUTTERBYE_MASTER_SEED": "hunter2-seed",
            "API_TOKEN": "hunter2-tok",
        ]
        #expect {
            try ServiceConfiguration(environment: ServiceEnvironment(ProductionPolicyTests.environment(secrets)), parts: ServiceParts())
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.problems.count == 5 && !error.description.contains("hunter2")
        }
    }
}
