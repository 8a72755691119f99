import Logging
import NIOCore

/// Holds one connection to its `ConnectionDeadlines`: first in the connection's pipeline, it sees every byte read and
/// written and every change of its writability, and at a deadline closes the connection (answering 408 first when a
/// request was being read). It learns that a request has been read whole from `RequestRead`, fired when the HTTP
/// decoder passes the request's end: by `FirstRequestEndHandler` for a connection's first request (a WebSocket
/// upgrade's included), by `RequestEndHandler` for the others.
final class ConnectionDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// The event that says the connection's request has been read whole.
    struct RequestRead: Sendable {}

    /// What an answer switching to the WebSocket protocol starts with.
    private static let switchingProtocols = Array("HTTP/1.1 101".utf8)

    private var deadlines: ConnectionDeadlines
    private var timer: (task: Scheduled<Void>, at: ContinuousClock.Instant)?
    private let logger: Logger

    init(limits: ConnectionLimits, logger: Logger) {
        self.deadlines = ConnectionDeadlines(limits: limits, openedAt: .now)
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        deadlines = ConnectionDeadlines(limits: deadlines.limits, openedAt: .now)
        schedule(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadlines.bytesRead(at: .now)
        schedule(context)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let switching: Bool
        if case .byteBuffer(let buffer) = unwrapOutboundIn(data) {
            switching = buffer.readableBytesView.starts(with: Self.switchingProtocols)
        } else {
            switching = false
        }
        deadlines.bytesWritten(at: .now, switchingProtocols: switching)
        if switching { cancelTimer() } else { schedule(context) }
        context.write(data, promise: promise)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        deadlines.writability(context.channel.isWritable, at: .now)
        schedule(context)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is RequestRead {
            deadlines.requestRead()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Arms the timer for the current deadline, unless one is armed for that time or earlier.
    private func schedule(_ context: ChannelHandlerContext) {
        guard let deadline = deadlines.deadline else { return }
        if let timer {
            if timer.at <= deadline { return }
            timer.task.cancel()
        }
        let delay = deadline - .now
        let task = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(max(delay, .zero))) {
            self.timer = nil
            self.expire(context)
        }
        timer = (task, deadline)
    }

    private func cancelTimer() {
        timer?.task.cancel()
        timer = nil
    }

    /// At a deadline: closes the connection if it has expired, else arms the timer for its later deadline.
    private func expire(_ context: ChannelHandlerContext) {
        switch deadlines.expiry(at: .now) {
        case .requestRead?:
            logger.debug(
                "closing a connection whose request was not read in time", metadata: ["remote": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
            let body = #"{"error":{"code":"request_timeout","message":"the request was not sent whole in time"}}"#
            let answer =
                "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
                + body
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer(string: answer))), promise: nil)
            context.close(promise: nil)
        case .idle?:
            context.close(promise: nil)
        case .stalledWrite?:
            logger.debug(
                "closing a connection whose client took nothing sent to it in time",
                metadata: ["remote": "\(context.remoteAddress.map { "\($0)" } ?? "?")"])
            context.close(promise: nil)
        case nil:
            schedule(context)
        }
    }
}
