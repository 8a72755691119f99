import FlutterbyeTestSupport
import Foundation
import NIOCore

/// The kinds of hostile answer the fuzz test gives, round-robin; each has variants drawn from the case's seeded
/// generator.
enum AnswerKind: String, CaseIterable, Sendable {
    case valid, rateLimited, serverError, otherStatus, emptyBody, truncatedJSON, wrongType, numberPastU64, nullResult, wrongShape
    case missingField, rpcError, rpcErrorWrongTypes, bothResultAndError, neitherResultNorError, hugeBody, neverEnds, deepNesting
    case invalidUTF8, batchIDs, shortBody, garbage
}

/// Makes the hostile answer of one fuzz case to one request.
struct HostileAnswers: Sendable {
    let seed: UInt64

    /// A 10 MB JSON-RPC answer, shared by every case that sends it (NIO writes the same bytes without copying them).
    static let tenMegabytes: ByteBuffer = {
        let prefix = #"{"jsonrpc":"2.0","id":1,"result":""#
        return ByteBuffer(string: prefix + String(repeating: "A", count: 10_000_000 - prefix.count - 2) + #""}"#)
    }()

    static let retryAfters: [String] = [
        "inf", "nan", "1e300", "-1", "-inf", "99999999999999999999999999999999", "18446744073709551616", "1.5", "", "0", "1", "3600",
        "0x10", "Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Wed, 32 Oct 2015 07:28:00 GMT", String(repeating: "9", count: 10 * 1024),
    ]
    static let wrongValues = [
        #""text""#, "true", "false", "null", "[]", "{}", "0", "-1", "1.5", #""18446744073709551616""#, #"{"a":[1,{"b":null}]}"#, #"["base64"]"#,
    ]
    static let badNumbers = [
        "18446744073709551616", "1e400", "-1e400", "-1", "-9223372036854775809", "99999999999999999999999999999999999999", "1.5", "-0",
        "1e-400", "18446744073709551615", "9223372036854775808", "0.0000001",
    ]
    static let badErrors = [
        #"{"code":"-32005","message":"behind"}"#, #"{"code":1e400,"message":"x"}"#, #"{"code":-32005,"message":5}"#,
        #"{"code":18446744073709551616,"message":"x"}"#, #""an error""#, "[]", "{}", #"{"code":null,"message":null}"#,
        #"{"code":1.5,"message":"x"}"#, #"{"message":"no code"}"#, #"{"code":-32002}"#, #"{"code":-32002,"message":"x","data":{"logs":5}}"#,
        #"{"code":-32002,"message":"x","data":{"logs":[1,null,{"a":[]}],"err":[[[]]]}}"#,
    ]

    /// The answer of case `index` (its kind: `kind(of:)`) to `request`.
    func answer(case index: Int, to request: HostileRequest) -> HostileAnswer {
        let kind = Self.kind(of: index)
        var random = SeededGenerator(seed: seed, index: index)
        var answer = make(kind, request: request, random: &random)
        answer.label = "\(kind.rawValue): \(answer.label)"
        return answer
    }

    static func kind(of index: Int) -> AnswerKind { AnswerKind.allCases[index % AnswerKind.allCases.count] }

    /// One call's reply with `result` (or, when `members` is given, those members after the id).
    static func reply(id: Int, result: JSONDocument) -> [UInt8] {
        Array(#"{"jsonrpc":"2.0","id":\#(id),"result":"#.utf8) + result.bytes + [UInt8(ascii: "}")]
    }

    static func reply(id: Int, members: String) -> [UInt8] { Array(#"{"jsonrpc":"2.0","id":\#(id),\#(members)}"#.utf8) }

    /// The replies joined as the request asked: one object, or an array for a batch.
    static func body(_ replies: [[UInt8]], batch: Bool) -> [UInt8] {
        guard batch else { return replies.first ?? [] }
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, reply) in replies.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += reply
        }
        return out + [UInt8(ascii: "]")]
    }

    private func make(_ kind: AnswerKind, request: HostileRequest, random: inout SeededGenerator) -> HostileAnswer {
        let calls = request.callsWithListLengths
        let valid = calls.map { FuzzedMethods.validResult($0.method, firstParameterCount: $0.listLength) }
        // Which calls of a batch the mutation hits: one, or all.
        let all = random.chance(30)
        let target = random.below(calls.count)
        func replies(_ mutate: (Int, JSONDocument, inout SeededGenerator) -> [UInt8]) -> [UInt8] {
            Self.body(
                zip(calls.indices, calls).map { index, call in
                    all || index == target ? mutate(call.id, valid[index], &random) : Self.reply(id: call.id, result: valid[index])
                }, batch: request.isBatch)
        }
        func mutated(_ label: String, _ mutate: (Int, JSONDocument, inout SeededGenerator) -> [UInt8]) -> HostileAnswer {
            .ok(replies(mutate), label: label + (all ? " (every call)" : " (call \(target))"))
        }
        switch kind {
        case .valid:
            return .ok(Self.body(zip(calls, valid).map { Self.reply(id: $0.id, result: $1) }, batch: request.isBatch), label: "as a node answers")
        case .rateLimited:
            let after = random.pick(Self.retryAfters)
            return .http(status: 429, headers: [("Retry-After", after)], body: Array("slow down".utf8), label: "Retry-After \(after.prefix(40))")
        case .serverError:
            let status = random.pick([500, 502, 503, 504])
            var headers: [(String, String)] = []
            if random.chance(50) { headers.append(("Retry-After", random.pick(Self.retryAfters))) }
            return .http(status: status, headers: headers, body: Array("<html>bad gateway</html>".utf8), label: "\(status)")
        case .otherStatus:
            let status = random.pick([204, 301, 302, 304, 307, 308, 400, 401, 403, 404, 405, 413, 418, 431, 499, 599])
            let noBody = status == 204 || status == 304
            let headers = (300..<400).contains(status) ? [("Location", "/elsewhere")] : []
            let body = noBody ? [] : Self.body(zip(calls, valid).map { Self.reply(id: $0.id, result: $1) }, batch: request.isBatch)
            return .http(status: status, headers: headers, body: body, label: "\(status)")
        case .emptyBody:
            return .http(status: 200, headers: [("Content-Type", random.pick(["application/json", "text/html"]))], body: [], label: "empty")
        case .truncatedJSON:
            let whole = Self.body(zip(calls, valid).map { Self.reply(id: $0.id, result: $1) }, batch: request.isBatch)
            let cut = 1 + random.below(max(1, whole.count - 1))
            return .ok(Array(whole.prefix(cut)), label: "cut at \(cut) of \(whole.count)")
        case .wrongType, .missingField, .numberPastU64:
            return mutated(kind.rawValue) { id, result, random in
                let paths = result.paths
                switch kind {
                case .missingField:
                    guard !paths.isEmpty else { return Self.reply(id: id, members: #""result":{}"#) }
                    return Self.reply(id: id, result: result.replacing(random.pick(paths)[...], with: nil))
                case .numberPastU64:
                    let numbers = paths.filter { result.value(at: $0[...])?.isNumber == true }
                    let number = JSONDocument.text(random.pick(Self.badNumbers))
                    guard let path = numbers.isEmpty ? nil : random.pick(numbers) else { return Self.reply(id: id, result: number) }
                    return Self.reply(id: id, result: result.replacing(path[...], with: number))
                default:
                    let value = JSONDocument.text(random.pick(Self.wrongValues))
                    guard !paths.isEmpty, random.chance(90) else { return Self.reply(id: id, result: value) }
                    return Self.reply(id: id, result: result.replacing(random.pick(paths)[...], with: value))
                }
            }
        case .nullResult:
            return mutated("null result") { id, _, _ in Self.reply(id: id, result: .text("null")) }
        case .wrongShape:
            return mutated("wrong shape") { id, result, random in
                let other = FuzzedMethods.validResult(
                    random.pick(["getBalance", "getSlot", "getTransaction", "getProgramAccounts", "getHealth", "getSignatureStatuses"]),
                    firstParameterCount: random.below(4))
                return Self.reply(id: id, result: random.pick([other, .array([result]), .object([("value", result)]), .array([]), .object([])]))
            }
        case .rpcError:
            return mutated("JSON-RPC error") { id, _, random in
                let code = random.pick([-32005, -32002, -32602, -32601, -32004, -32016, 1, 0, Int(Int64.min), Int(Int64.max)])
                return Self.reply(
                    id: id, members: #""error":{"code":\#(code),"message":"node says no","data":{"logs":["Program log: x"],"err":"X"}}"#)
            }
        case .rpcErrorWrongTypes:
            return mutated("malformed error") { id, _, random in Self.reply(id: id, members: #""error":\#(random.pick(Self.badErrors))"#) }
        case .bothResultAndError:
            return mutated("result and error") { id, result, _ in
                Array(#"{"jsonrpc":"2.0","id":\#(id),"error":{"code":-32005,"message":"behind"},"result":"#.utf8) + result.bytes + [UInt8(ascii: "}")]
            }
        case .neitherResultNorError:
            return mutated("neither result nor error") { id, _, _ in Self.reply(id: id, members: #""note":"nothing""#) }
        case .hugeBody:
            switch random.below(3) {
            case 0:
                let head = "HTTP/1.1 200 OK\r\nContent-Length: \(Self.tenMegabytes.readableBytes)\r\n\r\n"
                return HostileAnswer(head: Array(head.utf8), body: .bytes(Self.tenMegabytes), label: "10 MB with Content-Length")
            case 1:
                return HostileAnswer(
                    head: Array("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".utf8), body: .bytesThenClose(Self.tenMegabytes),
                    label: "10 MB to the close")
            default:
                let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                var chunk = ByteBuffer(string: "10000\r\n")
                chunk.writeRepeatingByte(UInt8(ascii: "A"), count: 0x10000)
                chunk.writeString("\r\n")
                return HostileAnswer(head: Array(head.utf8), body: .endless(chunk, limit: 64 << 20), label: "an endless chunked stream")
            }
        case .neverEnds:
            let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".utf8)
            let start = ByteBuffer(string: #"{"jsonrpc":"2.0","id":1,"result":"#)
            switch random.below(3) {
            case 0: return HostileAnswer(head: nil, body: .stall(ByteBuffer()), label: "no headers, ever")
            case 1: return HostileAnswer(head: head, body: .stall(start), label: "a body that stops")
            default: return HostileAnswer(head: head, body: .drip(start, every: .milliseconds(20), for: .seconds(10)), label: "a slow drip")
            }
        case .deepNesting:
            let depth = random.pick([600, 10_000, 100_000])
            let closed = random.chance(50)
            let open = random.chance(50) ? "[" : #"{"a":"#
            let close = open == "[" ? "]" : "}"
            let nested = String(repeating: open, count: depth) + (closed ? String(repeating: close, count: depth) : "")
            return mutated("\(depth) levels\(closed ? "" : ", unclosed")") { id, _, _ in Self.reply(id: id, result: .text(nested)) }
        case .invalidUTF8:
            return mutated("invalid UTF-8") { id, result, random in
                let bad: [UInt8] = random.pick([[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82]])
                let paths = result.paths
                guard !paths.isEmpty else { return Self.reply(id: id, result: .raw([UInt8(ascii: "\"")] + bad + [UInt8(ascii: "\"")])) }
                return Self.reply(
                    id: id, result: result.replacing(random.pick(paths)[...], with: .raw([UInt8(ascii: "\"")] + bad + [UInt8(ascii: "\"")])))
            }
        case .batchIDs:
            let variant = random.below(9)
            let replies = zip(calls, valid).map { call, result -> (Int, JSONDocument) in (call.id, result) }
            var texts: [[UInt8]]
            switch variant {
            case 0: texts = replies.map { Array(#"{"jsonrpc":"2.0","result":"#.utf8) + $0.1.bytes + [UInt8(ascii: "}")] }  // no ids
            case 1: texts = replies.map { Self.reply(id: $0.0 + 1000, result: $0.1) }  // other ids
            case 2: texts = replies.map { Self.reply(id: replies[0].0, result: $0.1) }  // one id for all
            case 3: texts = replies.map { Array(#"{"jsonrpc":"2.0","id":"\#($0.0)","result":"#.utf8) + $0.1.bytes + [UInt8(ascii: "}")] }
            case 4: texts = replies.reversed().map { Self.reply(id: $0.0, result: $0.1) }  // shuffled: fine
            case 5: texts = replies.dropLast().map { Self.reply(id: $0.0, result: $0.1) }  // one missing
            case 6: texts = replies.map { Self.reply(id: $0.0, result: $0.1) } + [Self.reply(id: 99_999, result: .text("1"))]  // one extra
            case 7: texts = replies.map { Array(#"{"jsonrpc":"2.0","id":null,"result":"#.utf8) + $0.1.bytes + [UInt8(ascii: "}")] }
            default: texts = replies.map { Self.reply(id: $0.0, result: $0.1) }
            }
            // The last variant: the shape inverted (an array for one call, one object for a batch).
            let body = variant == 8 ? Self.body(texts, batch: !request.isBatch) : Self.body(texts, batch: request.isBatch)
            return .ok(body, label: "ids, variant \(variant)")
        case .shortBody:
            let whole = Self.body(zip(calls, valid).map { Self.reply(id: $0.id, result: $1) }, batch: request.isBatch)
            let head = "HTTP/1.1 200 OK\r\nContent-Length: \(whole.count + 1 + random.below(100_000))\r\n\r\n"
            return HostileAnswer(head: Array(head.utf8), body: .bytesThenClose(ByteBuffer(bytes: whole)), label: "Content-Length past the body")
        case .garbage:
            let bytes = (0..<random.below(4096)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            return random.chance(50)
                ? .ok(bytes, label: "\(bytes.count) random bytes") : .ok("<html><body>Cloudflare says hi</body></html>", label: "HTML")
        }
    }
}
