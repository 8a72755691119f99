/// The status API's settings: where it listens, its bearer tokens (several, to rotate one), the write routes' rate
/// limit per token, the limit of requests without a token per client address, the most connections it keeps open and
/// how long the event stream's events are kept. FlutterbyeService reads them from the environment (the README's table
/// gives each variable and default). The cluster its explorer links name is the service's (`ServiceConfiguration`).
public struct APISettings: Sendable {
    /// The shortest API token accepted anywhere: 16 characters (production mode asks for 32).
    public static let minimumTokenLength = 16

    public var host: String
    public var port: Int
    public var apiTokens: [String]
    public var writeLimit: RateLimitMiddleware.Limit
    public var unauthenticatedLimit: RateLimitMiddleware.Limit
    public var maxConnections: Int
    /// How long events are kept for `GET /v1/events` (default: `EventLogService.Options`'s, 7 days).
    public var eventRetention: Duration

    public init(
        host: String, port: Int, apiTokens: [String], writeLimit: RateLimitMiddleware.Limit, unauthenticatedLimit: RateLimitMiddleware.Limit,
        maxConnections: Int, eventRetention: Duration
    ) {
        self.host = host
        self.port = port
        self.apiTokens = apiTokens
        self.writeLimit = writeLimit
        self.unauthenticatedLimit = unauthenticatedLimit
        self.maxConnections = maxConnections
        self.eventRetention = eventRetention
    }
}
