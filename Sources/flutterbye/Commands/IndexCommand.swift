import ArgumentParser
import FlutterbyeService

/// `flutterbye index`: runs the indexer until SIGTERM or SIGINT. Reads its configuration from the environment, applies
/// the schema, then follows the FLBY mint, the escrow and fee wallets and their token accounts into PostgreSQL.
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Run the indexer: FLBY mint, escrow and fee-wallet activity from Solana JSON-RPC into PostgreSQL.",
        discussion: """
            Configuration (environment): DATABASE_URL, SOLANA_RPC_URL (comma-separated for failover), FLBY_TOKEN_MINT; \
            optional: MAINNET_ESCROW_WALLET or ESCROW_WALLET, MAINNET_FEE_WALLET or FEE_WALLET, MAINNET_PROGRAM_ID or \
            FLUTTERBYE_PROGRAM_ID, FLUTTERBYE_INDEX_START_SLOT or FLUTTERBYE_INDEX_START_SIGNATURE, \
            FLUTTERBYE_INDEX_POLL_MILLISECONDS, FLUTTERBYE_INDEX_QUIET_POLL_SECONDS, FLUTTERBYE_INDEX_DISCOVERY_SECONDS, \
            FLUTTERBYE_INDEX_SETTLE_SECONDS, FLUTTERBYE_INDEX_DROP_AFTER_SLOTS, FLUTTERBYE_INDEX_SIGNATURES_HELD, \
            SOLANA_RPC_REQUESTS_PER_SECOND, \
            FLUTTERBYE_LOG_LEVEL. See the README.
            """)

    func run() async throws {
        try await ServiceLauncher(parts: ServiceParts(indexer: true, worker: false, api: false), loggerLabel: "flutterbye.indexer").run()
    }
}
