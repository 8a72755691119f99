public import Hummingbird
public import HummingbirdWebSocket
public import NIOCore

/// The request context of the status API: Hummingbird's core context, the body limit, the caller's identity
/// once `BearerTokenMiddleware` has accepted its token, the client's address, and the WebSocket handler of an upgrade
/// (`GET /v1/events`).
public struct APIRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<APIRequestContext>
    /// Which configured API token the caller presented (its position in the configuration, never the token), once
    /// authenticated: the key of its rate limit.
    public var caller: APICaller?
    /// The client's address (the TCP peer's), the key of the limit of requests without a token.
    public let remoteAddress: SocketAddress?
    /// The largest request body a route reads; a larger one is answered 413.
    public var maxUploadSize: Int { APILimits.maxBodyBytes }
    /// The context of the request being served, for the code generated from the OpenAPI document, which is not
    /// given it (`CurrentContextMiddleware` sets it).
    @TaskLocal static var current: APIRequestContext?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.caller = nil
        self.remoteAddress = source.channel.remoteAddress
    }
}

/// An authenticated API caller: the configured token it presented, named by position and by a short fingerprint
/// (the first bytes of the token's SHA-256), so that logs and rate limits can tell callers apart without the token.
public struct APICaller: Sendable, Hashable {
    public var tokenIndex: Int
    public var fingerprint: String
}

/// Limits that do not change per deployment.
enum APILimits {
    /// A job request is well under 2 KiB; 64 KiB leaves room and refuses abuse.
    static let maxBodyBytes = 64 * 1024
    /// The longest a request's database work may take before it is answered 503.
    static let databaseTimeout = Duration.seconds(10)
}
