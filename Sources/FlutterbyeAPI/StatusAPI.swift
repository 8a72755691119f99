public import FlutterbyeIndexer
public import FlutterbyeStore
public import Hummingbird
public import Logging
public import Prometheus
public import SolanaRPC

/// The status API: health, readiness and Prometheus metrics, and behind a bearer token the token job routes (the
/// write routes rate-limited per token) and the index and queue status. Every error is
/// `{"error": {"code", "message", "field"?}}` JSON.
public struct StatusAPI: Sendable {
    /// What the API needs to know about its deployment.
    public struct Configuration: Sendable {
        /// Accepted bearer tokens (`API_TOKEN`; several, comma-separated, to rotate one).
        public var apiTokens: [String]
        /// The write routes' rate limit per token.
        public var writeLimit: RateLimitMiddleware.Limit
        /// The cluster explorer links point to.
        public var cluster: SolanaCluster

        public init(apiTokens: [String], writeLimit: RateLimitMiddleware.Limit = .init(burst: 20, perSecond: 10), cluster: SolanaCluster) {
            self.apiTokens = apiTokens
            self.writeLimit = writeLimit
            self.cluster = cluster
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

    public init(
        configuration: Configuration, queue: TokenJobQueue, index: IndexStore, rpc: SolanaRPCClient?, metrics: PrometheusCollectorRegistry?,
        readiness: [ReadinessCheck]
    ) {
        self.configuration = configuration
        self.queue = queue
        self.index = index
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
        if let metrics { MetricsRoute(registry: metrics, status: status).add(to: router) }
        return router
    }

    /// The HTTP server (a `Service`) on `host`:`port`; `onServerRunning` learns the bound port (port 0 picks one).
    public func application(
        host: String, port: Int, logger: Logger, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "flutterbye"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
