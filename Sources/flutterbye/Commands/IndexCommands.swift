import ArgumentParser
import AsyncHTTPClient
import FlutterbyeIndexer
import FlutterbyeService
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaRPC

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
            FLUTTERBYE_INDEX_SETTLE_SECONDS, FLUTTERBYE_INDEX_DROP_AFTER_SLOTS, SOLANA_RPC_REQUESTS_PER_SECOND, \
            FLUTTERBYE_LOG_LEVEL. See the README.
            """)

    func run() async throws {
        try await ServiceLauncher(parts: ServiceParts(indexer: true, worker: false, api: false), loggerLabel: "flutterbye.indexer").run()
    }
}

/// `flutterbye reconcile`: compares the index with the chain and prints every difference; exits 1 when there is one.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare indexed FLBY supply, FLBY balances and the wallets' lamports with the chain; exit 1 on any difference.",
        discussion: """
            Same configuration as `flutterbye index`. Run it when the watched addresses are quiet, or after the indexer \
            caught up: a transaction that lands during the comparison shows as a difference until it is indexed.
            """)

    func run() async throws {
        let settings = try IndexerContext.settings()
        var configuredLogger = Logger(label: "flutterbye.reconcile")
        configuredLogger.logLevel = settings.logLevel
        let logger = configuredLogger
        let report = try await IndexerContext.with(settings, logger: logger) { client, rpc in
            try await Reconciliation(store: IndexStore(client: client, logger: logger), rpc: rpc, watched: settings.watched).run()
        }
        for difference in report.differences { print("difference: \(difference)") }
        print("compared \(report.compared) figure(s) at slot \(report.slot): \(report.differences.count) difference(s)")
        if !report.differences.isEmpty { throw ExitCode(1) }
    }
}

/// What `index` and `reconcile` share: the settings, an RPC client and a running PostgreSQL client.
enum IndexerContext {
    static func settings() throws -> IndexerSettings {
        do { return try IndexerSettings(environment: .process) } catch {
            throw CommandFailure(error.description)
        }
    }

    static func with<Result: Sendable>(
        _ settings: IndexerSettings, logger: Logger, _ body: @Sendable (PostgresClient, SolanaRPCClient) async throws -> Result
    ) async throws -> Result {
        let http = SolanaRPCClient.makeHTTPClient()
        let client = PostgresClient(configuration: settings.database.clientConfiguration, backgroundLogger: logger)
        do {
            let rpc = try SolanaRPCClient(endpoints: settings.endpoints, httpClient: http, logger: logger)
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                return try await body(client, rpc)
            }
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            if let error = error as? StoreError { throw CommandFailure(error.message) }
            if let error = error as? RPCError { throw CommandFailure(error.description) }
            throw error
        }
    }

    /// The options with the start point resolved: a start signature becomes its slot.
    static func resolveStart(_ settings: IndexerSettings, rpc: SolanaRPCClient) async throws -> IndexerOptions {
        var options = settings.options
        switch settings.start {
        case .beginning:
            break
        case .slot(let slot):
            options.polling.startSlot = slot
        case .signature(let signature):
            guard let status = try await rpc.signatureStatuses([signature]).first ?? nil else {
                throw CommandFailure(
                    "FLUTTERBYE_INDEX_START_SIGNATURE \(signature) is unknown to the RPC node; give a signature it has, or FLUTTERBYE_INDEX_START_SLOT"
                )
            }
            options.polling.startSlot = status.slot
        }
        return options
    }
}
