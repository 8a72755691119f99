public import FlutterbyeIndexer
public import FlutterbyeStore
public import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
public import Logging
public import Prometheus
public import SolanaCore
public import SolanaRPC

/// The status API: health, readiness and Prometheus metrics, and behind a bearer token the token job routes (the
/// write routes rate-limited per token), the index and queue status and the event stream (a WebSocket). Every
/// error is `{"error": {"code", "message", "field"?}}` JSON.
public struct StatusAPI: Sendable {
    /// What the API needs to know about its deployment.
    public struct Configuration: Sendable {
        /// Accepted bearer tokens (`API_TOKEN`; several, comma-separated, to rotate one).
        public var apiTokens: [String]
        /// The write routes' rate limit per token.
        public var writeLimit: RateLimitMiddleware.Limit
        /// The cluster explorer links point to.
        public var cluster: SolanaCluster
        /// The event stream's wake-ups, retention and limit.
        public var events: EventLogService.Options
        /// The limit of requests without a valid API token, per client address.
        public var unauthenticatedLimit = Self.defaultUnauthenticatedLimit
        /// The server's timeouts and connection cap.
        public var connections = ConnectionLimits()
        /// How often readiness, the gauges and the database's state are refreshed.
        public var sampling = StatusSampler.Options()

        /// 100 at once and 20 a second from one address: far more than Prometheus and load balancers ask.
        public static let defaultUnauthenticatedLimit = RateLimitMiddleware.Limit(burst: 100, perSecond: 20)

        public init(
            apiTokens: [String], writeLimit: RateLimitMiddleware.Limit = .init(burst: 20, perSecond: 10), cluster: SolanaCluster,
            events: EventLogService.Options = .init()
        ) {
            self.apiTokens = apiTokens
            self.writeLimit = writeLimit
            self.cluster = cluster
            self.events = events
        }
    }

    public let configuration: Configuration
    public let queue: TokenJobQueue
    public let index: IndexStore
    /// The chain's confirmed and finalized slots, each read once for every asker, for the index's lag; without an
    /// RPC the lag is null.
    let slotReaders: APIHandlers.SlotReaders?
    /// The registry `/metrics` shows (the one swift-metrics was bootstrapped with); without it there is no `/metrics`.
    public let metrics: PrometheusCollectorRegistry?
    public let readiness: [ReadinessCheck]
    /// The event stream's service (wake-ups, pruning); `application` runs it beside the server.
    public let events: EventLogService
    /// What refreshes readiness, the gauges and the database's state on timers; `application` runs it beside the
    /// server.
    public let sampler: StatusSampler
    let database: DatabaseGate
    let authentication: BearerTokenMiddleware
    /// The database's figures for the status routes, shared by every request.
    let readings: StatusReadings

    /// `database`: where PostgreSQL is, for the probe's connection of its own (the routes use `queue`, `index` and
    /// `events`, on the pool).
    public init(
        configuration: Configuration, queue: TokenJobQueue, index: IndexStore, events: EventLog, rpc: SolanaRPCClient?,
        metrics: PrometheusCollectorRegistry?, readiness: [ReadinessCheck], database: DatabaseConfiguration, logger: Logger
    ) {
        self.configuration = configuration
        self.queue = queue
        self.index = index
        self.events = EventLogService(log: events, options: configuration.events, logger: logger)
        self.metrics = metrics
        self.readiness = readiness
        let sampling = configuration.sampling
        let retryAfter = Int((sampling.databaseProbeInterval + sampling.databaseProbeTimeout).components.seconds)
        self.database = DatabaseGate(timeout: APILimits.databaseTimeout, retryAfter: retryAfter)
        self.slotReaders = rpc.map { rpc in
            (
                ChainSlotReader(rpc: rpc, commitment: .confirmed, maxAge: sampling.chainSlotsMaxAge),
                ChainSlotReader(rpc: rpc, commitment: .finalized, maxAge: sampling.chainSlotsMaxAge)
            )
        }
        self.sampler = StatusSampler(
            options: sampling, checks: readiness, queue: queue, index: index, confirmedSlot: slotReaders?.confirmed, registry: metrics,
            database: self.database,
            probe: DatabaseProbe(database: database, logger: logger), logger: logger)
        self.authentication = BearerTokenMiddleware(tokens: configuration.apiTokens)
        self.readings = StatusReadings(maxAge: sampling.statusReadingsMaxAge)
    }

    /// The routes, ready to serve: the operations generated from the OpenAPI document (`APIHandlers`), and by hand
    /// the document itself, the event stream's plain-HTTP side, the status page (`/` and `/assets/`) and `/metrics`.
    public func router() -> Router<APIRequestContext> {
        // HEAD on every GET route (uptime checkers and load balancers send it): the GET's answer without its body.
        let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: APIErrorMiddleware())
        router.add(middleware: UnauthenticatedRateLimitMiddleware(limit: configuration.unauthenticatedLimit, authentication: authentication))
        router.add(middleware: CurrentContextMiddleware())
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_json)))
        }
        let v1 = router.group("v1").add(middleware: authentication)
        let writes = v1.group().add(middleware: RateLimitMiddleware(limit: configuration.writeLimit))
        let handlers = APIHandlers(
            sampler: sampler, queue: queue, index: index, events: events.log, slotReaders: slotReaders, readings: readings,
            cluster: configuration.cluster, database: database)
        do {
            try handlers.register(on: OperationRoutes(router: router, reads: v1, writes: writes))
        } catch {
            // Registering throws only for a server URL with a bad path; the default one has none.
            preconditionFailure("the generated operations could not be registered: \(error)")
        }
        EventStreamRoutes(service: events, database: database).add(to: v1)
        StatusPageRoutes(cluster: configuration.cluster).add(to: router)
        if let metrics { MetricsRoute(registry: metrics).add(to: router) }
        return router
    }

    /// The routes a WebSocket upgrade may take (`GET /v1/events`); an upgrade they refuse goes to `router()`, which
    /// answers with the reason.
    public func webSocketRouter() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        EventStreamRoutes(service: events, database: database).addWebSocket(to: router, authentication: authentication)
        return router
    }

    /// The HTTP server (a `Service`, with the event stream's service and the sampler) on `host`:`port`, with the
    /// configured connection limits; `onServerRunning` learns the bound port (port 0 picks one).
    public func application(
        host: String, port: Int, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let webSocketResponder = webSocketRouter().buildResponder()
        let limits = configuration.connections
        let open = OpenConnections()
        let server = HTTPServerBuilder { responder in
            LimitedChildChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder,
                    configuration: .init(http1: .init(additionalChannelHandlers: [RequestEndHandler()]))),
                limits: limits, open: open)
        }
        return Application(
            router: router(),
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "flutterbye"),
            services: [events, sampler],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
