import AsyncHTTPClient
import FlutterbyeIndexer
import FlutterbyeService
import FlutterbyeStore
import Logging
import PostgresNIO
import SolanaRPC

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
        let client = PostgresClient(configuration: settings.database.clientConfiguration, backgroundLogger: logger)
        do {
            return try await SolanaRPCClient.withHTTPClient { http in
                let rpc = try SolanaRPCClient(endpoints: settings.endpoints, httpClient: http, logger: logger)
                return try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await client.run() }
                    defer { group.cancelAll() }
                    return try await body(client, rpc)
                }
            }
        } catch {
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
