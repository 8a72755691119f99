import HummingbirdCore
import Logging
import NIOCore

/// The server's connections with `ConnectionLimits` around the HTTP child channel (`inner`, HTTP/1 with the
/// WebSocket upgrade): it counts the open connections, answers one beyond `maxConnections` 503 and closes it, and
/// gives every other a `ConnectionDeadlineHandler` first in its pipeline and a `FirstRequestEndHandler` and a
/// `MalformedRequestHandler` right after its HTTP/1 request decoder.
struct LimitedChildChannel<Inner: ServerChildChannel>: ServerChildChannel {
    /// A connection: the inner channel's value, or nil for one refused.
    struct Value: ServerChildChannelValue {
        let inner: Inner.Value?
        let channel: any Channel
    }

    let inner: Inner
    let limits: ConnectionLimits
    let open: OpenConnections

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard open.admit(atMost: limits.maxConnections) else {
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ConnectionRefusal())
                return Value(inner: nil, channel: channel)
            }
        }
        let open = self.open
        channel.closeFuture.whenComplete { _ in open.release() }
        do {
            try channel.pipeline.syncOperations.addHandler(ConnectionDeadlineHandler(limits: limits, logger: logger), position: .first)
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try FirstRequestEndHandler.add(to: channel)
            try MalformedRequestHandler.add(to: channel)
            return Value(inner: value, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        guard let inner = value.inner else { return }
        // hummingbird-websocket logs a connection that closes before its first request head is read as an error
        // ("Error handling upgrade result"): port scanners, TCP health checks, and every connection the timeouts
        // close. Its connection-level messages are debug here, so that slow clients cannot fill the log.
        await self.inner.handle(value: inner, logger: Logger(label: logger.label) { _ in DebugOnlyLogHandler(target: logger) })
    }
}
