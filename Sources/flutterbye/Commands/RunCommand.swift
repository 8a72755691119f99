import ArgumentParser
import AsyncHTTPClient
import FlutterbyeAPI
import FlutterbyeIndexer
import FlutterbyeService
import FlutterbyeStore
import Foundation
import Hummingbird
import Logging
import CoreMetrics
import PostgresNIO
import Prometheus
import ServiceLifecycle
import SolanaCore
import SolanaRPC
import TokenWorker
import UnixSignals

/// `flutterbye run`: the whole service in one process — the indexer, the token worker and the status API, each of
/// which a flag can switch off — until SIGTERM or SIGINT, which shut all of them down gracefully.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the indexer, the token worker and the status API in one process until SIGTERM or SIGINT.",
        discussion: """
            Reads the configuration of every part that runs from the environment (see `flutterbye worker --help`, \
            `flutterbye index --help` and the README), reports every problem at once, applies the schema, then starts \
            them. The status API needs API_TOKEN; FLUTTERBYE_API_HOST (default 127.0.0.1) and FLUTTERBYE_API_PORT \
            (default 8080) say where it listens.
            """)

    @Flag(name: .customLong("no-indexer"), help: "Do not run the indexer.")
    var noIndexer = false
    @Flag(name: .customLong("no-worker"), help: "Do not run the token worker.")
    var noWorker = false
    @Flag(name: .customLong("no-api"), help: "Do not run the status API.")
    var noAPI = false

    func run() async throws {
        let parts = ServiceParts(indexer: !noIndexer, worker: !noWorker, api: !noAPI)
        let (configuration, cluster) = try await ProductionGate.pass(parts)
        let http = SolanaRPCClient.makeHTTPClient()
        do {
            var configuredLogger = Logger(label: "flutterbye")
            configuredLogger.logLevel = configuration.logLevel
            let logger = configuredLogger
            logger.info(
                "starting",
                metadata: [
                    "cluster": "\(cluster.map { "\($0)" } ?? "unidentified")", "rpc": "\(configuration.endpointsShown)",
                    "indexer": "\(parts.indexer)", "worker": "\(parts.worker)", "api": "\(parts.api)",
                ])
            let migrator = try SchemaMigrator.bundled()
            try await migrator.apply(to: configuration.database, logger: logger)
            _ = Self.metrics  // before any part records a metric
            try await runServices(configuration, cluster: cluster, migrator: migrator, http: http, logger: logger)
        } catch {
            try? await http.shutdown()
            if let error = error as? StoreError { throw CommandFailure(error.message) }
            if let error = error as? RPCError { throw CommandFailure(error.description) }
            throw error
        }
        try await http.shutdown()
    }

    func runServices(
        _ configuration: ServiceConfiguration, cluster: SolanaCluster?, migrator: SchemaMigrator, http: HTTPClient, logger: Logger
    ) async throws {
        let endpoints = configuration.endpoints, database = configuration.database
        let indexer = configuration.indexer, worker = configuration.worker, api = configuration.api
        let rpc = try SolanaRPCClient(endpoints: endpoints, httpClient: http, logger: logger)
        let client = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
        // The client first, so that its run() is under way before the other services lease a connection.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: client)]
        if let indexer {
            let options = try await IndexerContext.resolveStart(indexer, rpc: rpc)
            let service = Indexer(
                store: IndexStore(client: client, logger: logger), rpc: rpc, watched: indexer.watched, options: options, logger: logger)
            services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        if let worker {
            let service = TokenWorkerService(
                client: client, rpc: rpc, sender: worker.sender, workerID: worker.workerID,
                options: .init(maxInFlight: worker.maxInFlight, lease: worker.lease, retention: worker.retention), logger: logger)
            services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        if let api {
            let cluster = cluster ?? .custom
            var apiConfiguration = StatusAPI.Configuration(
                apiTokens: api.apiTokens, writeLimit: api.writeLimit, cluster: cluster, events: .init(retention: api.eventRetention))
            apiConfiguration.unauthenticatedLimit = api.unauthenticatedLimit
            apiConfiguration.connections.maxConnections = api.maxConnections
            let statusAPI = StatusAPI(
                configuration: apiConfiguration,
                queue: TokenJobQueue(client: client, logger: logger), index: IndexStore(client: client, logger: logger),
                events: EventLog(client: client, logger: logger), rpc: rpc, metrics: Self.metrics,
                readiness: [.database(client, version: migrator.latestVersion, logger: logger), .rpc(rpc)], database: database,
                logger: logger)
            let host = api.host
            let application = statusAPI.application(host: host, port: api.port, logger: logger) { port in
                logger.info("status API listening", metadata: ["url": "http://\(host):\(port)"])
            }
            services.append(.init(service: application, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The registry every part's swift-metrics metrics go to, shown at `/metrics`; bootstrapped once per process.
    static let metrics: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
