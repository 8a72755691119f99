import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What the hostile server does with one request: the raw bytes of a status line and headers (or none: it never
/// answers), then a body plan. The bytes go out as they are, so a test can lie in any header.
struct HostileAnswer: Sendable, CustomStringConvertible {
    /// How the body goes out after the head.
    enum Body: Sendable {
        /// These bytes, then the connection stays open for the next request.
        case bytes(ByteBuffer)
        /// These bytes, then the server closes the connection (a Content-Length it does not honour, for instance).
        case bytesThenClose(ByteBuffer)
        /// These bytes, then nothing more, ever (the client has to give up).
        case stall(ByteBuffer)
        /// These bytes, then one byte every `every`, until the client goes or `for` has passed.
        case drip(ByteBuffer, every: TimeAmount, for: TimeAmount)
        /// This chunk over and over as fast as the client reads it, until the client goes or `limit` bytes went.
        case endless(ByteBuffer, limit: Int)
    }

    /// The status line and headers, ending in an empty line; nil: the server never answers.
    var head: [UInt8]?
    var body: Body
    /// What the case is, for a failure's message.
    var label: String

    var description: String { label }

    /// A whole answer: status, headers (Content-Length added when `contentLength` is true) and body.
    static func http(
        status: Int, reason: String = "Whatever", headers: [(String, String)] = [], body: [UInt8], contentLength: Bool = true,
        label: String
    ) -> HostileAnswer {
        var head = "HTTP/1.1 \(status) \(reason)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if contentLength { head += "Content-Length: \(body.count)\r\n" } else { head += "Connection: close\r\n" }
        head += "\r\n"
        let buffer = ByteBuffer(bytes: body)
        return HostileAnswer(head: Array(head.utf8), body: contentLength ? .bytes(buffer) : .bytesThenClose(buffer), label: label)
    }
}

/// One request the hostile server got: its path (with the query), its Authorization header and its body.
struct HostileRequest: Sendable {
    var path: String
    var authorization: String? = nil
    var body: [UInt8]
}

/// An HTTP/1 server on 127.0.0.1 (an ephemeral port) that answers every request with whatever `answer` makes of it:
/// the RPC client's opponent in the fuzz tests. It reads requests with NIO's HTTP parser and writes raw bytes back.
final class HostileRPCServer: Sendable {
    let port: Int
    private let channel: any Channel
    private let counter: Counter

    init(answer: @escaping @Sendable (HostileRequest) -> HostileAnswer) async throws {
        let counter = Counter()
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try channel.pipeline.syncOperations.addHandler(HostileHandler(answer: answer, counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        self.counter = counter
    }

    /// Requests answered so far (including those deliberately left unanswered).
    var answers: Int { counter.value.load(ordering: .relaxed) }

    var url: String { "http://127.0.0.1:\(port)" }

    func close() async throws {
        try await channel.close()
    }

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }
}

/// Reads one request at a time and carries out its `HostileAnswer`.
private final class HostileHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    let answer: @Sendable (HostileRequest) -> HostileAnswer
    let counter: HostileRPCServer.Counter
    var path = "/"
    var authorization: String?
    var body: [UInt8] = []
    var active = true

    init(answer: @escaping @Sendable (HostileRequest) -> HostileAnswer, counter: HostileRPCServer.Counter) {
        self.answer = answer
        self.counter = counter
    }

    func channelInactive(context: ChannelHandlerContext) {
        active = false
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            path = head.uri
            authorization = head.headers.first(name: "Authorization")
            body = []
        case .body(var chunk):
            if body.count < 64 * 1024 * 1024, let bytes = chunk.readBytes(length: chunk.readableBytes) { body += bytes }
        case .end:
            let planned = answer(HostileRequest(path: path, authorization: authorization, body: body))
            counter.value.add(1, ordering: .relaxed)
            carryOut(planned, context: context)
        }
    }

    private func carryOut(_ planned: HostileAnswer, context: ChannelHandlerContext) {
        guard let head = planned.head else { return }  // never answer
        context.write(wrapOutboundOut(ByteBuffer(bytes: head)), promise: nil)
        switch planned.body {
        case .bytes(let bytes):
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        case .bytesThenClose(let bytes):
            let loop = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in loop.value.close(promise: nil) }
        case .stall(let bytes):
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        case .drip(let bytes, let every, let duration):
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
            drip(context: context, every: every, until: .now() + duration)
        case .endless(let chunk, let limit):
            context.flush()
            stream(chunk, context: context, left: limit)
        }
    }

    private func drip(context: ChannelHandlerContext, every: TimeAmount, until end: NIODeadline) {
        let loop = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: every) {
            let (handler, context) = loop.value
            guard handler.active, NIODeadline.now() < end else {
                context.close(promise: nil)
                return
            }
            context.writeAndFlush(handler.wrapOutboundOut(ByteBuffer(string: " ")), promise: nil)
            handler.drip(context: context, every: every, until: end)
        }
    }

    private func stream(_ chunk: ByteBuffer, context: ChannelHandlerContext, left: Int) {
        guard active, left > 0 else {
            context.close(promise: nil)
            return
        }
        let loop = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(chunk)).whenComplete { result in
            let (handler, context) = loop.value
            guard case .success = result else { return }
            handler.stream(chunk, context: context, left: left - chunk.readableBytes)
        }
    }
}

extension HostileRequest {
    /// The JSON-RPC calls in the body (one, or a batch's): each call's id and method.
    var calls: [(id: Int, method: String)] {
        callsWithListLengths.map { (id: $0.id, method: $0.method) }
    }

    /// The calls with the length of their first parameter when it is a list (signatures or keys asked for).
    var callsWithListLengths: [(id: Int, method: String, listLength: Int)] {
        guard let parsed = try? JSONSerialization.jsonObject(with: Data(body)) else { return [] }
        let objects = (parsed as? [[String: Any]]) ?? [(parsed as? [String: Any]) ?? [:]]
        return objects.map { call in
            let first = (call["params"] as? [Any])?.first as? [Any]
            return (id: (call["id"] as? Int) ?? 0, method: (call["method"] as? String) ?? "", listLength: first?.count ?? 0)
        }
    }

    /// Whether the body is a JSON-RPC batch (an array).
    var isBatch: Bool { body.first(where: { $0 != 0x20 && $0 != 0x0A }) == UInt8(ascii: "[") }
}

extension HostileAnswer {
    /// A 200 answer with `body` as it is.
    static func ok(_ body: [UInt8], label: String = "200") -> HostileAnswer {
        .http(status: 200, reason: "OK", headers: [("Content-Type", "application/json")], body: body, label: label)
    }

    /// A 200 answer with `body` as it is.
    static func ok(_ body: String, label: String = "200") -> HostileAnswer { ok(Array(body.utf8), label: label) }
}
