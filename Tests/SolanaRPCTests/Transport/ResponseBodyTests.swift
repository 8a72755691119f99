import Foundation
import Logging
import NIOCore
import SolanaRPC
import Testing

/// Answers too large, never ending, dripping or never starting: each ends in an RPCError within the request
/// timeout, never in unbounded memory or a hang.
@Suite(.timeLimit(.minutes(1)))
struct ResponseBodyTests {
    static let timeout: Duration = .milliseconds(300)

    static func client(_ server: HostileRPCServer) throws -> SolanaRPCClient {
        try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: server.url)], timeout: timeout, retry: RPCRetryPolicy(maxAttempts: 1),
            logger: Logger(label: "ResponseBodyTests"))
    }

    /// A JSON-RPC answer whose result is a string of `size` bytes in all.
    static func bigAnswer(_ size: Int) -> [UInt8] {
        let prefix = Array(#"{"jsonrpc":"2.0","id":1,"result":""#.utf8), suffix = Array(#""}"#.utf8)
        return prefix + [UInt8](repeating: UInt8(ascii: "A"), count: size - prefix.count - suffix.count) + suffix
    }

    /// Calls `genesisHash` and returns its error and how long it took.
    static func failure(_ client: SolanaRPCClient) async -> (RPCError?, Duration) {
        let start = ContinuousClock.now
        do {
            _ = try await client.genesisHash()
            return (nil, ContinuousClock.now - start)
        } catch {
            return (error, ContinuousClock.now - start)
        }
    }

    @Test(arguments: [true, false])
    func aTenMegabyteAnswerIsRefused(withContentLength: Bool) async throws {
        let body = Self.bigAnswer(10_000_000)
        let server = try await HostileRPCServer { _ in .http(status: 200, body: body, contentLength: withContentLength, label: "10 MB") }
        let (error, _) = await Self.failure(try Self.client(server))
        #expect(error?.code == .invalidResponse, "\(String(describing: error))")
        #expect(error?.message.contains("8 MiB") == true, "\(String(describing: error))")
        try await server.close()
    }

    @Test func anEndlessStreamIsRefusedAtTheCap() async throws {
        let server = try await HostileRPCServer { _ in
            var head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
            head += #"{"jsonrpc":"2.0","id":1,"result":""#
            return HostileAnswer(head: Array(head.utf8), body: .endless(ByteBuffer(repeating: UInt8(ascii: "A"), count: 64 * 1024), limit: 64 << 20), label: "endless")
        }
        let (error, _) = await Self.failure(try Self.client(server))
        #expect(error?.code == .invalidResponse, "\(String(describing: error))")
        try await server.close()
    }

    static let stalls: [String] = ["no headers", "headers then stall", "slow drip"]

    @Test(arguments: stalls)
    func aStalledAnswerTimesOut(_ kind: String) async throws {
        let server = try await HostileRPCServer { _ in
            let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n".utf8)
            let start = ByteBuffer(string: #"{"jsonrpc":"2.0","#)
            switch kind {
            case "no headers": return HostileAnswer(head: nil, body: .stall(ByteBuffer()), label: kind)
            case "headers then stall": return HostileAnswer(head: head, body: .stall(start), label: kind)
            default: return HostileAnswer(head: head, body: .drip(start, every: .milliseconds(20), for: .seconds(20)), label: kind)
            }
        }
        let (error, took) = await Self.failure(try Self.client(server))
        #expect(error?.code == .timeout, "\(String(describing: error))")
        #expect(took < Self.timeout + .seconds(1), "took \(took)")
        try await server.close()
    }

    @Test func aContentLengthLargerThanTheBodyIsATransportError() async throws {
        let server = try await HostileRPCServer { _ in
            HostileAnswer(
                head: Array("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n".utf8),
                body: .bytesThenClose(ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"result":"x"}"#)), label: "short")
        }
        let (error, _) = await Self.failure(try Self.client(server))
        #expect(error?.code == .transport, "\(String(describing: error))")
        try await server.close()
    }
}
