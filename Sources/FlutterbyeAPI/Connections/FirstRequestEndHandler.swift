import NIOCore
import NIOHTTP1

/// Tells the connection's `ConnectionDeadlineHandler` that its first request has been read whole as soon as the HTTP
/// decoder passes that request's end, then leaves the pipeline. It sits right after the decoder, before the WebSocket
/// upgrade handler, which holds the first request until its route has decided (in a task a busy server starts
/// late): without it an upgrade request sent whole could still be cut off with a 408. `RequestEndHandler` marks the
/// requests after it.
final class FirstRequestEndHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private var passedEnd = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // After the first request's end, whatever comes (the bytes an upgrade hands on) passes unread.
        guard !passedEnd, case .end = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        passedEnd = true
        context.pipeline.syncOperations.fireUserInboundEventTriggered(ConnectionDeadlineHandler.RequestRead())
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Puts the handler right after `channel`'s HTTP/1 request decoder; does nothing when there is none.
    static func add(to channel: any Channel) throws {
        let pipeline = channel.pipeline.syncOperations
        guard let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) else { return }
        try pipeline.addHandler(FirstRequestEndHandler(), position: .after(decoder))
    }
}
