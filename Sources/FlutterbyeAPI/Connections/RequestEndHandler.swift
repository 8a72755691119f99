import NIOCore
import NIOHTTPTypes

/// Tells the connection's `ConnectionDeadlineHandler` that a request has been read whole as soon as the HTTP decoder
/// passes its end (right after the head for a request without a body), on the connection's event loop. The request-read
/// timeout then no longer runs, however long a busy server takes to get the request to its route. It is in the
/// pipeline from the first request's end on (`FirstRequestEndHandler` marks the first).
final class RequestEndHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            context.pipeline.syncOperations.fireUserInboundEventTriggered(ConnectionDeadlineHandler.RequestRead())
        }
        context.fireChannelRead(data)
    }
}
