import FlutterbyeTestSupport
import Foundation
import Logging
import NIOCore
import Testing

@testable import SolanaRPC

/// Answers too large, never ending, dripping or never starting: each ends in an RPCError within the request
/// timeout, never in unbounded memory or a hang.
@Suite(.timeLimit(.minutes(5)))
struct ResponseBodyTests {
    static let timeout: Duration = .milliseconds(300)

    /// A client that tries once, giving up after `timeout` (the short one for stalls; reading 8 MiB on a loaded
    /// machine, beside the fuzz tests, takes longer: a CI run took over 10 s to reach the cap of an endless answer,
    /// and a later one more than 30 s to reach it in a 10 MB answer without a length).
    static func client(
        _ server: HostileRPCServer, timeout: Duration = .seconds(120), maxResponseBytes: Int = SolanaRPCClient.defaultMaxResponseBytes
    ) throws -> SolanaRPCClient {
        try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: server.url)], timeout: timeout, retry: RPCRetryPolicy(maxAttempts: 1),
            maxResponseBytes: maxResponseBytes, logger: Logger(label: "ResponseBodyTests"))
    }

    /// A JSON-RPC answer whose result is a string of `size` bytes in all.
    static func bigAnswer(_ size: Int) -> [UInt8] {
        let prefix = Array(#"{"jsonrpc":"2.0","id":1,"result":""#.utf8)
        let suffix = Array(#""}"#.utf8)
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

    /// A JSON-RPC error whose message is a megabyte: it went whole into the error, every log line that names it and
    /// the job's stored errors. The error keeps its head, and says how much was cut.
    @Test func aMegabyteErrorMessageIsCut() async throws {
        let body =
            Array(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":""#.utf8) + [UInt8](repeating: UInt8(ascii: "B"), count: 1 << 20)
            + Array(#""}}"#.utf8)
        let server = try await HostileRPCServer { _ in .http(status: 200, body: body, label: "1 MB error message") }
        let (error, _) = await Self.failure(try Self.client(server))
        #expect(error?.code == .rpc && error?.rpcCode == -32002, "\(String(describing: error))")
        #expect((error?.message.utf8.count ?? 0) < 2_000, "\(error?.message.utf8.count ?? 0) bytes")
        #expect(error?.message.contains("characters cut") == true)
        try await server.close()
    }

    /// The same megabyte, as one character: a letter followed by half a million combining accents (U+0301, two bytes
    /// each) is a single Character, so a bound counted in Characters keeps all of it, and a hostile node's message goes
    /// whole into the error, every log line and the job's stored errors again.
    @Test func aMegabyteErrorMessageOfOneCharacterIsCut() async throws {
        let body =
            Array(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":"B"#.utf8)
            + Array(String(repeating: "\u{0301}", count: 1 << 19).utf8) + Array(#""}}"#.utf8)
        let server = try await HostileRPCServer { _ in .http(status: 200, body: body, label: "1 MB error message, one grapheme") }
        let (error, _) = await Self.failure(try Self.client(server))
        #expect(error?.code == .rpc && error?.rpcCode == -32002, "\(String(describing: error?.code))")
        #expect((error?.message.utf8.count ?? 0) < 8_000, "\(error?.message.utf8.count ?? 0) bytes")
        try await server.close()
    }

    @Test func anEndlessStreamIsRefusedAtTheCap() async throws {
        let server = try await HostileRPCServer { _ in
            var head = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"
            head += #"{"jsonrpc":"2.0","id":1,"result":""#
            return HostileAnswer(
                head: Array(head.utf8), body: .endless(ByteBuffer(repeating: UInt8(ascii: "A"), count: 64 * 1024), limit: 64 << 20), label: "endless")
        }
        // A cap of 1 MiB, reached in 16 chunks: the endless stream is refused at the cap whatever its size, and on a
        // loaded CI run reading up to the default 8 MiB chunk by chunk took more than the 30 s timeout.
        let (error, _) = await Self.failure(try Self.client(server, maxResponseBytes: 1 << 20))
        #expect(error?.code == .invalidResponse, "\(String(describing: error))")
        #expect(error?.message.contains("1 MiB") == true, "\(String(describing: error))")
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
        let (error, took) = await Self.failure(try Self.client(server, timeout: Self.timeout))
        #expect(error?.code == .timeout, "\(String(describing: error))")
        // Well short of the 20 s drip and of a stall without end: the timeout ended it. Not tighter: at the start of
        // the suite, with every test starting at once on two cores, a CI run saw the 300 ms timeout end after 1.6 s.
        #expect(took < .seconds(10), "took \(took)")
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

    @Test func aClientKeepsItsOwnCap() async throws {
        let server = try await HostileRPCServer { request in
            .ok(request.path == "/big" ? Self.bigAnswer(2000) : Self.bigAnswer(1000))
        }
        func client(_ path: String) throws -> SolanaRPCClient {
            try SolanaRPCClient(
                endpoints: [RPCEndpoint(url: server.url + path)], timeout: .seconds(5), retry: RPCRetryPolicy(maxAttempts: 1),
                maxResponseBytes: 1024, logger: Logger(label: "ResponseBodyTests"))
        }
        #expect(try await client("/small").genesisHash().count == 1000 - 36)
        let (error, _) = await Self.failure(try client("/big"))
        #expect(error?.code == .invalidResponse && error?.message.contains("1024 bytes") == true, "\(String(describing: error))")
        try await server.close()
    }

    static func invalidOffset(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBytes { ResponseBody.firstInvalidUTF8(in: $0) }
    }

    @Test func findsTheFirstByteThatIsNotUTF8() {
        #expect(Self.invalidOffset(Array("plain ASCII, long enough for words; café ✓ 😀 and more ASCII after".utf8)) == nil)
        #expect(Self.invalidOffset([]) == nil)
        let cases: [([UInt8], Int)] = [
            ([0xFF], 0), (Array("12345678".utf8) + [0x80], 8), ([0x41, 0xC0, 0x80], 1), ([0xC1, 0xBF], 0),  // overlong
            ([0xE0, 0x80, 0x80], 0), ([0xED, 0xA0, 0x80], 0),  // overlong, surrogate
            ([0xF4, 0x90, 0x80, 0x80], 0), ([0xF5, 0x80, 0x80, 0x80], 0),  // past U+10FFFF
            ([0x41, 0x42, 0xE2, 0x82], 2), ([0xE2, 0x28, 0xA1], 0), ([0xF0, 0x9F, 0x98], 0),  // cut short, bad continuation
        ]
        for (bytes, offset) in cases { #expect(Self.invalidOffset(bytes) == offset, "\(bytes)") }
    }

    /// Against the standard library's validation, on random bytes biased toward UTF-8's edges.
    @Test func agreesWithTheStandardLibrary() {
        var random = SeededGenerator(seed: 0x5EED)
        func next() -> UInt64 { random.next() }
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0, 0x90, 0x8F]
        for _ in 0..<5000 {
            let length = Int(next() % 24)
            let bytes = (0..<length).map { _ in
                next() % 3 == 0 ? UInt8(truncatingIfNeeded: next()) : interesting[Int(next() % UInt64(interesting.count))]
            }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            #expect((Self.invalidOffset(bytes) == nil) == valid, "\(bytes)")
        }
    }
}
