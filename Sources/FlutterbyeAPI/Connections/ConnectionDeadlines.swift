/// The timeouts of one connection, as a plain value that is told what happens on it and when (no clock, no I/O):
/// a request must be read whole within the request-read timeout of its first byte, and a connection with no request
/// under way is closed after the idle timeout. A request's handling (after it has been read, until its answer is
/// written) has no deadline here; the handlers bound it themselves. A connection upgraded to a WebSocket has none:
/// the WebSocket's pings watch it. In every phase, output that has waited for the client the stalled-write timeout
/// (the connection unwritable all along: the client does not read) closes the connection, since a write that waits
/// for ever holds its handler, and an event stream's place, for ever (the WebSocket's pings wait behind it).
public struct ConnectionDeadlines: Sendable, Hashable {
    /// Where the connection is.
    public enum Phase: Sendable, Hashable {
        /// No request under way since `since` (the connection opened, or an answer was written).
        case idle(since: ContinuousClock.Instant)
        /// A request's bytes are arriving, the first at `since`, and it has not been read whole.
        case reading(since: ContinuousClock.Instant)
        /// The request has been read; its answer has not been written.
        case handling
        /// Switched to the WebSocket protocol.
        case upgraded
    }

    /// Why a connection is closed.
    public enum Expiry: Sendable, Hashable {
        /// A request was not read whole in time.
        case requestRead
        /// Nothing happened for the idle timeout.
        case idle
        /// The client took nothing the server sent for the stalled-write timeout.
        case stalledWrite
    }

    public let limits: ConnectionLimits
    public private(set) var phase: Phase
    /// Since when the connection's output has waited for the client (it is unwritable); nil while it is writable.
    public private(set) var stalledSince: ContinuousClock.Instant?

    public init(limits: ConnectionLimits, openedAt now: ContinuousClock.Instant) {
        self.limits = limits
        self.phase = .idle(since: now)
    }

    /// Bytes arrived from the client.
    public mutating func bytesRead(at now: ContinuousClock.Instant) {
        if case .idle = phase { phase = .reading(since: now) }
    }

    /// The server has read the request whole (one without a body as soon as its head is in).
    public mutating func requestRead() {
        if case .reading = phase { phase = .handling }
    }

    /// The server wrote to the client: an answer is under way, or, with `switchingProtocols`, the connection is a
    /// WebSocket from now on.
    public mutating func bytesWritten(at now: ContinuousClock.Instant, switchingProtocols: Bool) {
        guard phase != .upgraded else { return }
        phase = switchingProtocols ? .upgraded : .idle(since: now)
    }

    /// The connection's output can be written (`writable`), or has backed up waiting for the client.
    public mutating func writability(_ writable: Bool, at now: ContinuousClock.Instant) {
        if writable {
            stalledSince = nil
        } else if stalledSince == nil {
            stalledSince = now
        }
    }

    /// When the phase expires if nothing happens meanwhile; nil when it cannot.
    private var phaseDeadline: ContinuousClock.Instant? {
        switch phase {
        case .idle(let since): since + limits.idleTimeout
        case .reading(let since): since + limits.requestReadTimeout
        case .handling, .upgraded: nil
        }
    }

    /// When stalled output expires, if it is stalled.
    private var stallDeadline: ContinuousClock.Instant? {
        stalledSince.map { $0 + limits.stalledWriteTimeout }
    }

    /// When the connection expires if nothing happens meanwhile; nil when it cannot.
    public var deadline: ContinuousClock.Instant? {
        [phaseDeadline, stallDeadline].compactMap { $0 }.min()
    }

    /// Whether the connection has expired at `now`, and why.
    public func expiry(at now: ContinuousClock.Instant) -> Expiry? {
        if let stallDeadline, now >= stallDeadline { return .stalledWrite }
        guard let phaseDeadline, now >= phaseDeadline else { return nil }
        if case .reading = phase { return .requestRead }
        return .idle
    }
}
