public import FlutterbyeStore
public import Hummingbird
public import Logging

/// The status API: health and readiness, and the token job routes behind a bearer token, the write routes
/// rate-limited per token. Every error is `{"error": {"code", "message", "field"?}}` JSON.
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
    public let readiness: [ReadinessCheck]

    public init(configuration: Configuration, queue: TokenJobQueue, readiness: [ReadinessCheck]) {
        self.configuration = configuration
        self.queue = queue
        self.readiness = readiness
    }

    /// The routes, ready to serve.
    public func router() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: APIErrorMiddleware())
        HealthRoutes(checks: readiness).add(to: router)
        let v1 = router.group("v1").add(middleware: BearerTokenMiddleware(tokens: configuration.apiTokens))
        let writes = v1.group().add(middleware: RateLimitMiddleware(limit: configuration.writeLimit))
        JobRoutes(queue: queue, cluster: configuration.cluster).add(reads: v1, writes: writes)
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
