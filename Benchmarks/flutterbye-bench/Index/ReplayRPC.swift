import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import SolanaCore
import SolanaRPC

/// The replay RPC: the recording served as a Solana node would answer it, over HTTP on a loopback port.
extension HistoryRecording {
    /// The JSON-RPC answer to one call, from the recording: `getSignaturesForAddress` pages (before/until/limit)
    /// cut from the recorded list, `getTransaction` as recorded, discovery as recorded, `getSlot`, and
    /// `getSignatureStatuses` as finalized.
    func answer(method: String, params: [JSONValue], into out: inout ByteBuffer) {
        switch method {
        case "getSignaturesForAddress":
            guard case .string(let address)? = params.first else {
                out.writeStaticString("[]")
                return
            }
            let config = params.count > 1 ? params[1] : .object([:])
            let entries = signatures[address] ?? []
            var startIndex = 0
            if case .string(let before)? = config["before"], let index = entries.firstIndex(where: { $0.signature == before }) {
                startIndex = index + 1
            }
            let limit = Int(config["limit"]?.uint64 ?? 1000)
            var until: String?
            if case .string(let text)? = config["until"] { until = text }
            out.writeStaticString("[")
            var count = 0
            for entry in entries[min(startIndex, entries.count)...] {
                if entry.signature == until || count >= limit { break }
                if count > 0 { out.writeStaticString(",") }
                out.writeBytes(entry.entry)
                count += 1
            }
            out.writeStaticString("]")
        case "getTransaction":
            guard case .string(let signature)? = params.first, let answer = transactions[signature] else {
                out.writeStaticString("null")
                return
            }
            out.writeBytes(answer)
        case "getProgramAccounts":
            guard case .string(let program)? = params.first, let answer = discovery["getProgramAccounts \(program)"] else {
                out.writeStaticString("[]")
                return
            }
            out.writeBytes(answer)
        case "getTokenAccountsByOwner":
            guard case .string(let owner)? = params.first, params.count > 1, case .string(let program)? = params[1]["programId"] else {
                out.writeStaticString("null")
                return
            }
            if let answer = discovery["getTokenAccountsByOwner \(owner) \(program)"] {
                out.writeBytes(answer)
            } else {
                out.writeString("{\"context\":{\"slot\":\(slot)},\"value\":[]}")
            }
        case "getSlot":
            out.writeString(String(slot))
        case "getSignatureStatuses":
            guard case .array(let list)? = params.first else {
                out.writeStaticString("null")
                return
            }
            let statuses = list.map { _ in "{\"slot\":\(slot),\"confirmations\":null,\"err\":null,\"confirmationStatus\":\"finalized\"}" }
            out.writeString("{\"context\":{\"slot\":\(slot)},\"value\":[\(statuses.joined(separator: ","))]}")
        default:
            out.writeStaticString("null")
        }
    }

    /// Answers a JSON-RPC request body (one call or a batch), counting the calls per method in `calls`. The request
    /// is read in place (`getTransaction`'s signature straight from the bytes) and the answers are assembled from
    /// recorded bytes into one buffer, so the replay server takes little of the CPU the indexer is measured on.
    func respond(to body: ByteBuffer, calls counter: CallCounter) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(256 * 1024)
        // The calls of a batch are counted together: one lock per request, not per call.
        var counted = (method: "", count: 0)
        defer { if counted.count > 0 { counter.add(counted.method, counted.count) } }
        let parsed: Bool = body.withUnsafeReadableBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            func reply(_ parser: inout JSONParser) throws(JSONParser.Failure) {
                var id: [UInt8] = Array("null".utf8)
                var method: String?
                var paramsAt: Int?
                try parser.members { parser, name throws(JSONParser.Failure) in
                    if name == "id" {
                        let start = parser.index
                        try parser.skipValue()
                        id = Array(bytes[start..<parser.index])
                    } else if name == "method" {
                        method = try parser.readString()
                    } else if name == "params" {
                        paramsAt = parser.index
                        try parser.skipValue()
                    } else {
                        try parser.skipValue()
                    }
                }
                out.writeStaticString("{\"jsonrpc\":\"2.0\",\"id\":")
                out.writeBytes(id)
                guard let method else {
                    out.writeStaticString(",\"error\":{\"code\":-32600,\"message\":\"Invalid request\"}}")
                    return
                }
                if method == counted.method {
                    counted.count += 1
                } else {
                    if counted.count > 0 { counter.add(counted.method, counted.count) }
                    counted = (method, 1)
                }
                out.writeStaticString(",\"result\":")
                var params: [JSONValue] = []
                if let paramsAt {
                    var reader = JSONParser(bytes, at: paramsAt)
                    if method == "getTransaction" {
                        // Only the signature is needed: no tree for the configuration object.
                        var first = true
                        try reader.elements { parser throws(JSONParser.Failure) in
                            if first, let signature = try? parser.readString() {
                                params.append(.string(signature))
                            } else {
                                try parser.skipValue()
                            }
                            first = false
                        }
                    } else if case .array(let list) = try reader.readValue() {
                        params = list
                    }
                }
                answer(method: method, params: params, into: &out)
                out.writeStaticString("}")
            }
            do throws(JSONParser.Failure) {
                try JSONParser.reading(bytes) { parser throws(JSONParser.Failure) in
                    guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "[") else { return try reply(&parser) }
                    out.writeStaticString("[")
                    var first = true
                    try parser.elements { parser throws(JSONParser.Failure) in
                        if !first { out.writeStaticString(",") }
                        first = false
                        try reply(&parser)
                    }
                    out.writeStaticString("]")
                }
                return true
            } catch {
                return false
            }
        }
        guard parsed else {
            return ByteBuffer(string: "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}")
        }
        return out
    }

    /// Serves the recording over HTTP on a loopback port (Hummingbird) while `body` runs with a client of it.
    func withReplayRPC<Result: Sendable>(
        calls: CallCounter, logger: Logger, _ body: @escaping @Sendable (SolanaRPCClient) async throws -> Result
    ) async throws -> Result {
        let recording = self
        let router = Router()
        router.post("/") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
            let answer = recording.respond(to: body, calls: calls)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
        }
        let port = PortBox()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "replay-rpc", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            while port.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let http = SolanaRPCClient.makeHTTPClient()
            defer { Task { try? await http.shutdown() } }
            let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: "http://127.0.0.1:\(port.value)")], httpClient: http, logger: logger)
            return try await body(rpc)
        }
    }
}

/// Counts the replay server's calls per method.
final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func add(_ method: String, _ count: Int = 1) { lock.withLock { counts[method, default: 0] += count } }
    func snapshot() -> [String: Int] { lock.withLock { counts } }
}

/// The replay server's port, set once it listens.
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port = 0
    var value: Int { lock.withLock { port } }
    func set(_ value: Int) { lock.withLock { port = value } }
}
