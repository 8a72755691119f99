import ArgumentParser
import FlutterbyeService

/// `flutterbye worker`: runs the token worker until SIGTERM or SIGINT. Reads its configuration from the
/// environment (every problem reported at once), applies the schema, then drains the job queue.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the token worker: claim token jobs from PostgreSQL and create each token exactly once on chain.",
        discussion: """
            Configuration (environment): DATABASE_URL, SOLANA_RPC_URL (comma-separated for failover), \
            SOLANA_PRIVATE_KEY or SOLANA_KEYPAIR_PATH, FLUTTERBYE_MASTER_SEED; optional: \
            MAINNET_MINT_AUTHORITY or FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH, FLUTTERBYE_MINT_AUTHORITY_IS_PAYER, SOLANA_RPC_REQUESTS_PER_SECOND, FLUTTERBYE_MAX_IN_FLIGHT, \
            FLUTTERBYE_PRIORITY_FEE_PERCENTILE, FLUTTERBYE_MAX_PRIORITY_FEE, FLUTTERBYE_JOB_LEASE_SECONDS, \
            FLUTTERBYE_JOB_RETENTION_HOURS, FLUTTERBYE_METAPLEX_METADATA, FLUTTERBYE_WORKER_ID, FLUTTERBYE_LOG_LEVEL. See the README.
            """)

    func run() async throws {
        try await ServiceLauncher(parts: ServiceParts(indexer: false, worker: true, api: false), loggerLabel: "flutterbye.worker").run()
    }
}
