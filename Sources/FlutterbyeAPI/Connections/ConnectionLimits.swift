/// How long the server waits for a client and how many clients it serves at once: a request must be read whole
/// (headers and body) within `requestReadTimeout` of its first byte; a connection with no request
/// under way is closed after `idleTimeout`; a connection whose client has taken nothing the server sent for
/// `stalledWriteTimeout` (its output backed up the whole time: a client that does not read, an event stream's
/// included) is closed; a connection beyond `maxConnections` is answered 503 and closed.
public struct ConnectionLimits: Sendable, Hashable {
    public var requestReadTimeout: Duration
    public var idleTimeout: Duration
    public var maxConnections: Int
    public var stalledWriteTimeout: Duration

    public init(
        requestReadTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60), maxConnections: Int = 512,
        stalledWriteTimeout: Duration = .seconds(30)
    ) {
        self.requestReadTimeout = max(requestReadTimeout, .milliseconds(100))
        self.idleTimeout = max(idleTimeout, .milliseconds(100))
        self.maxConnections = max(1, maxConnections)
        self.stalledWriteTimeout = max(stalledWriteTimeout, .milliseconds(100))
    }
}
