import NIOCore
import NIOHTTP1

/// Answers a connection's first request when the HTTP/1 decoder cannot read its head: 431 for a head past the
/// decoder's limits, 400 for anything else, with the API's JSON error, then closes the connection. It sits right after
/// the decoder and leaves the pipeline once a head has passed; later parse errors reach Hummingbird, which answers
/// them. Without it a first request's parse error stopped at the WebSocket upgrade handler, and the client waited for
/// the request-read timeout's 408.
final class MalformedRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A head was read: the request goes on to the upgrade handler and Hummingbird, which answer what follows.
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parseError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard !answered else { return }
        answered = true
        let (status, body) = Self.answer(parseError)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }

    /// The status and JSON body for a parse error.
    static func answer(_ error: HTTPParserError) -> (HTTPResponseStatus, String) {
        if error == .headerOverflow {
            return (
                .requestHeaderFieldsTooLarge,
                #"{"error":{"code":"request_header_too_large","message":"the request's head is larger than this server reads; send fewer or shorter headers"}}"#
            )
        }
        return (
            .badRequest,
            #"{"error":{"code":"malformed_request","message":"the request is not HTTP/1.1 this server can read (\#(error)); check the client"}}"#
        )
    }

    /// Puts the handler right after `channel`'s HTTP/1 request decoder; does nothing when there is none.
    static func add(to channel: any Channel) throws {
        let pipeline = channel.pipeline.syncOperations
        guard let decoder = try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self) else { return }
        try pipeline.addHandler(MalformedRequestHandler(), position: .after(decoder))
    }
}
