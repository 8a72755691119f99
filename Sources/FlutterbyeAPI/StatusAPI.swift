public import FlutterbyeIndexer
public import FlutterbyeStore
public import Hummingbird
import HummingbirdWebSocket
public import Logging
public import Prometheus
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
    /// The chain, for the index's lag; without it the lag is null.
    public let rpc: SolanaRPCClient?
    /// The registry `/metrics` shows (the one swift-metrics was bootstrapped with); without it there is no `/metrics`.
    public let metrics: PrometheusCollectorRegistry?
    public let readiness: [ReadinessCheck]
    /// The event stream's service (wake-ups, pruning); `application` runs it beside the server.
    public let events: EventLogService

    public init(
        configuration: Configuration, queue: TokenJobQueue, index: IndexStore, events: EventLog, rpc: SolanaRPCClient?,
        metrics: PrometheusCollectorRegistry?, readiness: [ReadinessCheck], logger: Logger
    ) {
        self.configuration = configuration
        self.queue = queue
        self.index = index
        self.events = EventLogService(log: events, options: configuration.events, logger: logger)
        self.rpc = rpc
        self.metrics = metrics
        self.readiness = readiness
    }

    /// The routes, ready to serve.
    public func router() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: APIErrorMiddleware())
        HealthRoutes(checks: readiness).add(to: router)
        router.get("openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_json)))
        }
        let v1 = router.group("v1").add(middleware: BearerTokenMiddleware(tokens: configuration.apiTokens))
        let writes = v1.group().add(middleware: RateLimitMiddleware(limit: configuration.writeLimit))
        JobRoutes(queue: queue, cluster: configuration.cluster).add(reads: v1, writes: writes)
        let status = StatusRoutes(queue: queue, index: index, rpc: rpc)
        status.add(to: v1)
        EventStreamRoutes(service: events).add(to: v1)
        if let metrics { MetricsRoute(registry: metrics, status: status).add(to: router) }
        return router
    }

    /// The routes a WebSocket upgrade may take (`GET /v1/events`); an upgrade they refuse goes to `router()`, which
    /// answers with the reason.
    public func webSocketRouter() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        EventStreamRoutes(service: events).addWebSocket(to: router, authentication: BearerTokenMiddleware(tokens: configuration.apiTokens))
        return router
    }

    /// The HTTP server (a `Service`, with the event stream's service) on `host`:`port`; `onServerRunning` learns the
    /// bound port (port 0 picks one).
    public func application(
        host: String, port: Int, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(),
            server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter()),
            configuration: .init(address: .hostname(host, port: port), serverName: "flutterbye"),
            services: [events],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
