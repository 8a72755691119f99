import ArgumentParser
import AsyncHTTPClient
import FlutterbyeAPI
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Hummingbird
import Logging
import CoreMetrics
import PostgresNIO
import Prometheus
import ServiceLifecycle
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
        guard !(noIndexer && noWorker && noAPI) else { throw CommandFailure("every part is switched off: nothing to run") }
        let environment = ProcessInfo.processInfo.environment
        var problems: [String] = []
        func collect<Settings>(_ enabled: Bool, _ read: () throws(ConfigurationError) -> Settings) -> Settings? {
            guard enabled else { return nil }
            do { return try read() } catch {
                for problem in error.problems where !problems.contains(problem) { problems.append(problem) }
                return nil
            }
        }
        let workerSettings = collect(!noWorker) { () throws(ConfigurationError) in try WorkerSettings(environment: environment) }
        let indexerSettings = collect(!noIndexer) { () throws(ConfigurationError) in try IndexerSettings(environment: environment) }
        let apiSettings = collect(!noAPI) { () throws(ConfigurationError) in try APISettings(environment: environment) }
        var reader = EnvironmentReader(environment)
        let database = reader.database()
        let logLevel = reader.logLevel()
        let (endpoints, endpointProblems) = RPCEndpoint.fromEnvironment(environment)
        for problem in reader.problems + endpointProblems where !problems.contains(problem) { problems.append(problem) }
        guard problems.isEmpty, let database else {
            throw CommandFailure("the configuration has \(problems.count) problem(s):\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
        }

        var configuredLogger = Logger(label: "flutterbye")
        configuredLogger.logLevel = logLevel
        let logger = configuredLogger
        let migrator: SchemaMigrator
        do {
            migrator = try SchemaMigrator.bundled()
            try await migrator.apply(to: database, logger: logger)
        } catch {
            throw CommandFailure(error.message)
        }
        _ = Self.metrics  // before any part records a metric
        let http = SolanaRPCClient.makeHTTPClient()
        do {
            try await runServices(
                database: database, endpoints: endpoints, migrator: migrator, worker: workerSettings, indexer: indexerSettings,
                api: apiSettings, http: http, logger: logger)
        } catch {
            try? await http.shutdown()
            if let error = error as? StoreError { throw CommandFailure(error.message) }
            if let error = error as? RPCError { throw CommandFailure(error.description) }
            throw error
        }
        try await http.shutdown()
    }

    func runServices(
        database: DatabaseConfiguration, endpoints: [RPCEndpoint], migrator: SchemaMigrator, worker: WorkerSettings?,
        indexer: IndexerSettings?, api: APISettings?, http: HTTPClient, logger: Logger
    ) async throws {
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
                options: .init(concurrency: worker.concurrency, lease: worker.lease, retention: worker.retention), logger: logger)
            services.append(.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup))
        }
        if let api {
            let cluster = await Self.cluster(api, endpoints: endpoints, rpc: rpc, logger: logger)
            let statusAPI = StatusAPI(
                configuration: .init(apiTokens: api.apiTokens, writeLimit: api.writeLimit, cluster: cluster),
                queue: TokenJobQueue(client: client, logger: logger), index: IndexStore(client: client, logger: logger), rpc: rpc,
                metrics: Self.metrics, readiness: [.database(client, version: migrator.latestVersion, logger: logger), .rpc(rpc)])
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

    /// The cluster named by SOLANA_CLUSTER, else the one whose genesis hash the RPC reports (a custom one when it
    /// cannot be asked now: explorer links then point at the RPC URL, without its query string).
    static func cluster(_ api: APISettings, endpoints: [RPCEndpoint], rpc: SolanaRPCClient, logger: Logger) async -> SolanaCluster {
        let url = endpoints.first?.description ?? ""
        if let name = api.clusterName, let cluster = SolanaCluster(name: name, rpcURL: url) { return cluster }
        do {
            return SolanaCluster(genesisHash: try await rpc.genesisHash(), rpcURL: url)
        } catch {
            logger.warning("cannot ask the RPC for its genesis hash; explorer links name the RPC URL", metadata: ["error": "\(error.message)"])
            return .custom(rpcURL: url)
        }
    }
}
