import ArgumentParser
import AsyncHTTPClient
import FlutterbyeService
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import SolanaRPC
import TokenWorker
import UnixSignals

/// `flutterbye worker`: runs the token worker until SIGTERM or SIGINT. Reads its configuration from the
/// environment (every problem reported at once), applies the schema, then drains the job queue.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the token worker: claim token jobs from PostgreSQL and create each token exactly once on chain.",
        discussion: """
            Configuration (environment): DATABASE_URL, SOLANA_RPC_URL (comma-separated for failover), \
            SOLANA_PRIVATE_KEY or SOLANA_KEYPAIR_PATH, FLUTTERBYE_MASTER_SEED; optional: \
            FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH, SOLANA_RPC_REQUESTS_PER_SECOND, FLUTTERBYE_MAX_IN_FLIGHT, \
            FLUTTERBYE_PRIORITY_FEE_PERCENTILE, FLUTTERBYE_MAX_PRIORITY_FEE, FLUTTERBYE_JOB_LEASE_SECONDS, \
            FLUTTERBYE_JOB_RETENTION_HOURS, FLUTTERBYE_METAPLEX_METADATA, FLUTTERBYE_WORKER_ID, FLUTTERBYE_LOG_LEVEL. See the README.
            """)

    func run() async throws {
        let (configuration, _) = try await ProductionGate.pass(ServiceParts(indexer: false, worker: true, api: false))
        guard let settings = configuration.worker else { throw CommandFailure("the worker's configuration is missing") }
        var logger = Logger(label: "flutterbye.worker")
        logger.logLevel = settings.logLevel
        logger[metadataKey: "worker"] = "\(settings.workerID)"
        do { try await SchemaMigrator.bundled().apply(to: settings.database, logger: logger) } catch {
            throw CommandFailure(error.message)
        }
        let http = SolanaRPCClient.makeHTTPClient()
        let rpc = try SolanaRPCClient(endpoints: settings.endpoints, httpClient: http, logger: logger)
        let client = PostgresClient(configuration: settings.database.clientConfiguration, backgroundLogger: logger)
        let worker = TokenWorkerService(
            client: client, rpc: rpc, sender: settings.sender, workerID: settings.workerID,
            options: .init(maxInFlight: settings.maxInFlight, lease: settings.lease, retention: settings.retention), logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    // First, so its run() (which PostgresClient, a Service, starts at once) is under way before the
                    // worker leases a connection; it stops when the group shuts down.
                    .init(service: client),
                    .init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}
