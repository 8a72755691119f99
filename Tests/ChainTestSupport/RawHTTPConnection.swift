import Foundation
import NIOCore
import NIOPosix

/// A plain TCP connection to a local server, for tests that send partial or slow requests an HTTP client would not:
/// what it writes goes out as given, and it reads whatever comes back until the server closes.
public final class RawHTTPConnection: Sendable {
    /// How a wait for the server ended.
    public enum Ending: Equatable, Sendable {
        /// The server closed the connection.
        case closed
        /// The wait's limit passed with the connection still open.
        case stillOpen
    }

    private let channel: any Channel
    private let received: Received

    private final class Received: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private let lock = NSLock()
        private var bytes: [UInt8] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let chunk = buffer.readBytes(length: buffer.readableBytes) ?? []
            lock.withLock { bytes += chunk }
        }

        var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
    }

    private init(channel: any Channel, received: Received) {
        self.channel = channel
        self.received = received
    }

    /// Connects to 127.0.0.1:`port`.
    public static func open(port: Int) async throws -> RawHTTPConnection {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(received) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawHTTPConnection(channel: channel, received: received)
    }

    /// Connects to 127.0.0.1:`port` as a client that never reads what the server sends (no reads, a receive buffer as
    /// small as the system allows): the server's output to it backs up.
    public static func openWithoutReading(port: Int) async throws -> RawHTTPConnection {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: false)
            .channelOption(.socketOption(.so_rcvbuf), value: 1024)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(received) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawHTTPConnection(channel: channel, received: received)
    }

    /// Everything received so far, as text.
    public var text: String { received.text }

    /// Whether the connection is still open.
    public var isOpen: Bool { channel.isActive }

    /// Sends `text` as it is.
    public func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Sends `bytes` as they are (text that is not UTF-8 included).
    public func send(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// Sends `text` as it is without waiting for the write, from code that cannot wait (`TaskPoolSaturation`).
    public func sendWithoutWaiting(_ text: String) {
        channel.writeAndFlush(ByteBuffer(string: text), promise: nil)
    }

    /// Waits until the server closes the connection or `limit` passes.
    public func waitForClose(within limit: Duration) async -> Ending {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if !channel.isActive { return .closed }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return channel.isActive ? .stillOpen : .closed
    }

    /// Waits until `count` complete answers (head and `Content-Length` body) have come, or `limit` passes; returns
    /// their status codes.
    public func waitForAnswers(_ count: Int, within limit: Duration) async -> [Int] {
        let deadline = ContinuousClock.now + limit
        var statuses = Self.statuses(text)
        while statuses.count < count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            statuses = Self.statuses(text)
        }
        return statuses
    }

    /// The status codes of the complete answers in `text`.
    public static func statuses(_ text: String) -> [Int] {
        var statuses: [Int] = []
        var rest = Substring(text)
        while let headEnd = rest.range(of: "\r\n\r\n") {
            let head = rest[..<headEnd.lowerBound]
            let status = head.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
            let length =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            let body = rest[headEnd.upperBound...]
            guard body.utf8.count >= length else { break }
            statuses.append(status)
            rest = Substring(body.utf8.dropFirst(length))
        }
        return statuses
    }

    /// Closes the connection.
    public func close() async {
        try? await channel.close()
    }

    deinit {
        channel.close(promise: nil)
    }
}
