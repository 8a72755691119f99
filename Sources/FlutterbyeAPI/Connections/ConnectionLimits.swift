/// How long the server waits for a client and how many clients it serves at once: a request must be read whole
/// (headers and body) within `requestReadTimeout` of its first byte; a connection with no request
/// under way is closed after `idleTimeout`; a connection beyond `maxConnections` is answered 503 and closed.
public struct ConnectionLimits: Sendable, Hashable {
    public var requestReadTimeout: Duration
    public var idleTimeout: Duration
    public var maxConnections: Int

    public init(requestReadTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60), maxConnections: Int = 512) {
        self.requestReadTimeout = max(requestReadTimeout, .milliseconds(100))
        self.idleTimeout = max(idleTimeout, .milliseconds(100))
        self.maxConnections = max(1, maxConnections)
    }
}
