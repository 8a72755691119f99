import AsyncHTTPClient
import CoreMetrics
import FlutterbyeAPI
import FlutterbyeIndexer
import FlutterbyeService
import FlutterbyeStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Prometheus
import ServiceLifecycle
import SolanaCore
import SolanaRPC
import TokenWorker
import UnixSignals

/// The one way the long-running commands (`run`, `worker`, `index`) start the service: read and check the
/// configuration of the parts that run (every problem at once, and production mode's gate), apply the schema, then run
/// those parts in one service group until SIGTERM or SIGINT, which shuts all of them down gracefully.
///
/// The signals belong to an outer group from the command's first moment, around the start itself: a signal that
/// comes while the service still starts (waiting for the RPC, or for another process's schema migration) cancels the
/// start, and the command exits with status 0 having run nothing.
struct ServiceLauncher {
    var parts: ServiceParts
    /// The logger's label: `flutterbye` for the whole service, `flutterbye.worker` or `flutterbye.indexer` for one part.
    var loggerLabel: String

    func run() async throws {
        let start = ServiceStart(launcher: self)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: start, successTerminationBehavior: .ignore)], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: Logger(label: loggerLabel)))
        try await group.run()
    }

    /// The start: the configuration and the cluster, the schema, and the group of the parts that run (not yet running).
    fileprivate func prepare(http: HTTPClient) async throws -> ServiceGroup {
        let (configuration, cluster) = try await ProductionGate.pass(parts, http: http)
        var configuredLogger = Logger(label: loggerLabel)
        configuredLogger.logLevel = configuration.logLevel
        let logger = configuredLogger
        logger.info(
            "starting",
            metadata: [
                "cluster": "\(cluster.map { "\($0)" } ?? "unidentified")", "rpc": "\(configuration.endpointsShown)",
                "indexer": "\(parts.indexer)", "worker": "\(parts.worker)", "api": "\(parts.api)",
            ])
        if let api = configuration.api { try await Self.checkListening(host: api.host, port: api.port) }
        let migrator = try SchemaMigrator.bundled()
        try await migrator.apply(to: configuration.database, logger: logger)
        _ = Self.metrics  // before any part records a metric
        return try await serviceGroup(configuration, cluster: cluster, migrator: migrator, http: http, logger: logger)
    }

    /// Whether the status API can listen on `host`:`port`, found by listening there a moment, before the start applies
    /// the schema: a host that does not resolve, an address that is not this machine's or a port another process holds
    /// is refused naming the variables, where Hummingbird's own bind gave a raw socket error after the migration.
    static func checkListening(host: String, port: Int) async throws {
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1).bind(host: host, port: port).get()
            try await channel.close()
        } catch {
            let reason: String
            if let error = error as? IOError {
                reason = String(cString: strerror(error.errnoCode))
            } else if error is SocketAddressError {
                reason = "\(host) is neither an address nor a name this machine resolves"
            } else {
                reason = "\(error)"
            }
            throw CommandFailure(
                "the status API cannot listen on \(host):\(port) (FLUTTERBYE_API_HOST, FLUTTERBYE_API_PORT): \(reason); "
                    + "choose an address of this machine and a free port")
        }
    }

    /// The failure a command reports for `error`: the operator's message of a store or RPC error.
    fileprivate static func commandFailure(_ error: any Error) -> any Error {
        if let error = error as? StoreError { return CommandFailure(error.message) }
        if let error = error as? RPCError { return CommandFailure(error.description) }
        return error
    }

    private func serviceGroup(
        _ configuration: ServiceConfiguration, cluster: SolanaCluster?, migrator: SchemaMigrator, http: HTTPClient, logger: Logger
    ) async throws -> ServiceGroup {
        let endpoints = configuration.endpoints
        let database = configuration.database
        let indexer = configuration.indexer
        let worker = configuration.worker
        let api = configuration.api
        let rpc = try SolanaRPCClient(endpoints: endpoints, httpClient: http, logger: logger)
        let client = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
        // The client first, so that its run() is under way before the other services lease a connection.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: client)]
        if let indexer {
            let options = try await IndexerContext.resolveStart(indexer, rpc: rpc)
            let service = Indexer(
                store: IndexStore(client: client, logger: logger), rpc: rpc, watched: indexer.watched, options: options, logger: logger,
                programIDL: indexer.programIDL, pubSub: indexer.pubSub)
            services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        if let worker {
            var workerLogger = logger
            workerLogger[metadataKey: "worker"] = "\(worker.workerID)"
            let service = TokenWorkerService(
                client: client, rpc: rpc, sender: worker.sender, workerID: worker.workerID,
                options: .init(maxInFlight: worker.maxInFlight, lease: worker.lease, retention: worker.retention), logger: workerLogger)
            services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        if let api {
            services.append(
                .init(
                    service: statusAPI(
                        api, cluster: cluster ?? .custom, database: database, client: client, rpc: rpc, migrator: migrator, logger: logger),
                    successTerminationBehavior: .gracefullyShutdownGroup))
        }
        // No signals of its own: it runs inside the outer group, whose graceful shutdown it follows.
        return ServiceGroup(configuration: .init(services: services, logger: logger))
    }

    private func statusAPI(
        _ api: APISettings, cluster: SolanaCluster, database: DatabaseConfiguration, client: PostgresClient, rpc: SolanaRPCClient,
        migrator: SchemaMigrator, logger: Logger
    ) -> some Service {
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
        return statusAPI.application(host: host, port: api.port, logger: logger) { port in
            logger.info("status API listening", metadata: ["url": "http://\(host):\(port)"])
        }
    }

    /// The registry every part's swift-metrics metrics go to, shown at `/metrics`; bootstrapped once per process. The
    /// confirmation latency has buckets of its own (up to 30 minutes); other timers keep the defaults (5 ms to 10 s).
    static let metrics: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[JobMetrics.confirmationLatency] = JobMetrics.confirmationBuckets
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}

/// The one service of the launcher's outer group: starts the service, cancelled by a graceful shutdown (a signal) while
/// it starts, then runs the parts' group, which follows the outer group's graceful shutdown.
private struct ServiceStart: Service {
    let launcher: ServiceLauncher

    func run() async throws {
        let launcher = self.launcher
        try await SolanaRPCClient.withHTTPClient { http in
            let parts: ServiceGroup
            do {
                parts = try await cancelWhenGracefulShutdown { try await launcher.prepare(http: http) }
            } catch {
                guard Task.isShuttingDownGracefully else { throw ServiceLauncher.commandFailure(error) }
                Logger(label: launcher.loggerLabel).info("a stop signal came while starting: stopped before its services started")
                return
            }
            do { try await parts.run() } catch { throw ServiceLauncher.commandFailure(error) }
        }
    }
}
