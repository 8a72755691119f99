public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
public import SolanaCore
import Synchronization

/// A Solana JSON-RPC client over HTTP (AsyncHTTPClient): typed calls and batches, a per-request timeout,
/// several endpoints with failover, a client-side rate limit per endpoint, and retries of transient failures.
public struct SolanaRPCClient: Sendable {
    let endpoints: [RPCEndpoint]
    let limiters: [CallRateLimiter?]
    let sendLimiters: [CallRateLimiter?]
    let preferred: PreferredEndpoint
    let httpClient: HTTPClient
    let timeout: Duration
    let maxResponseBytes: Int
    var retry: RPCRetryPolicy
    let logger: Logger
    let requestIDs = RequestIDs()
    /// How far `getSlot` and `getLatestBlockhash` answers have reached (shared by the copies `retrying` makes).
    let newestSlot = SlotProgress()

    /// The largest answer a client reads by default: 8 MiB.
    public static let defaultMaxResponseBytes = 8 << 20

    /// A client for `endpoints` (tried in order, the last one that answered first), using `httpClient`. Each request,
    /// the whole of its answer included, takes at most `timeout`; an answer larger than `maxResponseBytes` is refused
    /// (`invalidResponse`) without being read further.
    public init(
        endpoints: [RPCEndpoint], httpClient: HTTPClient = .shared, timeout: Duration = .seconds(10),
        retry: RPCRetryPolicy = RPCRetryPolicy(), maxResponseBytes: Int = SolanaRPCClient.defaultMaxResponseBytes, logger: Logger
    ) throws(RPCError) {
        guard !endpoints.isEmpty else { throw RPCError(.configuration, "no RPC endpoint is configured: set SOLANA_RPC_URL") }
        for endpoint in endpoints {
            if let port = endpoint.invalidPort {
                throw RPCError(.configuration, "the RPC URL \(endpoint) names the port \(port); the port must be in \(RPCEndpoint.ports)")
            }
            guard endpoint.isHTTP else {
                throw RPCError(.configuration, "the RPC URL \(endpoint) is not an http(s) URL")
            }
        }
        self.endpoints = endpoints
        self.limiters = endpoints.map { endpoint in endpoint.requestsPerSecond.map { CallRateLimiter(perSecond: $0) } }
        self.sendLimiters = endpoints.map { endpoint in endpoint.sendsPerSecond.map { CallRateLimiter(perSecond: $0) } }
        self.preferred = PreferredEndpoint()
        self.httpClient = httpClient
        self.timeout = timeout
        self.maxResponseBytes = max(1, maxResponseBytes)
        self.retry = retry
        self.logger = logger
    }

    /// This client with another retry policy, sharing everything else: the endpoints, their rate limits, the
    /// preferred endpoint and the connections. (The token sender retries on its own schedule, so its calls go once.)
    public func retrying(_ retry: RPCRetryPolicy) -> SolanaRPCClient {
        var copy = self
        copy.retry = retry
        return copy
    }

    /// An `HTTPClient` suited to RPC failover: a connection that cannot be established fails after
    /// `connectTimeout` (AsyncHTTPClient retries connecting until then), so the next endpoint is tried soon.
    /// The caller owns it and shuts it down (`try await client.shutdown()`).
    public static func makeHTTPClient(connectTimeout: Duration = .seconds(2)) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = TimeAmount(connectTimeout)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Runs `body` with a client from `makeHTTPClient`, shut down afterwards, also when `body` fails.
    public static func withHTTPClient<Result>(
        connectTimeout: Duration = .seconds(2), _ body: (HTTPClient) async throws -> Result
    ) async throws -> Result {
        let http = makeHTTPClient(connectTimeout: connectTimeout)
        let result: Result
        do { result = try await body(http) } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        return result
    }

    // MARK: Calls

    /// Calls `method` with `params` and decodes its `result` as `Result`.
    public func call<Result: Decodable & Sendable>(
        _ method: String, _ params: [JSONValue] = [], as: Result.Type = Result.self
    ) async throws(RPCError) -> Result {
        let id = requestIDs.next()
        let body: Data
        body = RPCRequest(id: id, method: method, params: params).serialized
        let data = try await send(body, method: method, metricMethod: method, count: CallCount([method]))
        return try Self.decodeResponse(data, as: Result.self, method: method)
    }

    /// Sends several calls in one JSON-RPC batch; each answer is matched to its call by id. One call's JSON-RPC
    /// error is returned in its place (the others still succeed); a failure of the whole request throws.
    /// The answers are read with the package's own JSON parser (`JSONValue.parse`), several times faster than
    /// `Decodable`: the indexer's `getTransaction` batches go this way.
    public func batch(_ calls: [(method: String, params: [JSONValue])]) async throws(RPCError) -> [Swift.Result<JSONValue, RPCError>] {
        guard !calls.isEmpty else { return [] }
        let requests = calls.map { RPCRequest(id: requestIDs.next(), method: $0.method, params: $0.params) }
        let body = RPCRequest.serialized(requests)
        let data = try await send(
            body, method: "batch(\(calls.count) \(calls[0].method))", metricMethod: calls[0].method, count: CallCount(calls.map(\.method)))
        guard case .array(let answers) = try JSONValue.parse(data) else {
            throw RPCError(.invalidResponse, "the batch answer is not a JSON-RPC array")
        }
        var byID: [Int64: JSONValue] = [:]
        var duplicated: Set<Int64> = []
        for answer in answers {
            if case .int(let id)? = answer["id"], byID.updateValue(answer, forKey: id) != nil { duplicated.insert(id) }
        }
        return zip(requests, calls).map { request, call in
            guard !duplicated.contains(Int64(request.id)) else { return .failure(RPCReply.several(call.method)) }
            guard let answer = byID[Int64(request.id)] else { return .failure(RPCReply.none(call.method)) }
            if let error = RPCErrorBody.error(in: answer, method: call.method) { return .failure(error) }
            guard let result = answer["result"] else { return .failure(RPCReply.neither(call.method)) }
            return .success(result)
        }
    }

    /// Sends several calls in one JSON-RPC batch and reads each call's `result` straight from the reply's bytes with
    /// `decode` (a null result is nil), so large answers are never built into a JSON tree. One call's JSON-RPC error,
    /// or a result `decode` refuses, is returned in its place; a reply that is not a JSON-RPC array throws.
    func decodedBatch<Answer>(
        _ calls: [(method: String, params: [JSONValue])], decode: (inout JSONParser) throws(RPCError) -> Answer
    ) async throws(RPCError) -> [Swift.Result<Answer?, RPCError>] {
        try await decodedBatch(calls.map { (method: $0.method, params: RPCRequest.Params.values($0.params)) }, decode: decode)
    }

    /// `decodedBatch` with the calls' parameters as `RPCRequest.Params`.
    func decodedBatch<Answer>(
        _ calls: [(method: String, params: RPCRequest.Params)], decode: (inout JSONParser) throws(RPCError) -> Answer
    ) async throws(RPCError) -> [Swift.Result<Answer?, RPCError>] {
        guard !calls.isEmpty else { return [] }
        let requests = calls.map { RPCRequest(id: requestIDs.next(), method: $0.method, params: $0.params) }
        let reply = try await send(
            buffer: RPCRequest.serialized(requests), method: "batch(\(calls.count) \(calls[0].method))", metricMethod: calls[0].method,
            count: CallCount(calls.map(\.method)))
        return try Self.decodeBatchReply(reply, requests: requests, decode: decode)
    }

    /// `decodedBatch`'s reading of the reply to `requests`: each call's result in its place.
    static func decodeBatchReply<Answer>(
        _ reply: ByteBuffer, requests: [RPCRequest], decode: (inout JSONParser) throws(RPCError) -> Answer
    ) throws(RPCError) -> [Swift.Result<Answer?, RPCError>] {
        guard let firstMethod = requests.first?.method else { return [] }
        // A node that refuses the whole batch answers one error object instead of an array.
        if reply.readableBytesView.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) == UInt8(ascii: "{"),
            let answer = try? JSONValue.parse(Data(reply.readableBytesView)),
            let error = RPCErrorBody.error(in: answer, method: firstMethod)
        {
            throw error
        }
        var byID: [Int64: Swift.Result<Answer?, RPCError>] = [:]
        var duplicated: Set<Int64> = []
        do throws(JSONParser.Failure) {
            try reply.withUnsafeReadableBytes { raw throws(JSONParser.Failure) in
                try JSONParser.reading(raw.bindMemory(to: UInt8.self)) { parser throws(JSONParser.Failure) in
                    try parser.elements { parser throws(JSONParser.Failure) in
                        var id: Int64?
                        var result: Swift.Result<Answer?, RPCError>?
                        var resultIsNull = true
                        var error: JSONValue?
                        try parser.members { parser, name throws(JSONParser.Failure) in
                            if name == "id" {
                                id = try parser.readNull() ? nil : try parser.readInt64()
                            } else if name == "result" {
                                result = .success(nil)
                                if try parser.readNull() { return }
                                resultIsNull = false
                                let start = parser.position
                                do throws(RPCError) {
                                    result = .success(try decode(&parser))
                                } catch {
                                    // The rest of the reply is still read: past this result, whatever it holds.
                                    result = .failure(error)
                                    parser.rewind(to: start)
                                    try parser.skipValue()
                                }
                            } else if name == "error" {
                                let value = try parser.readValue()
                                if value != .null { error = value }
                            } else {
                                try parser.skipValue()
                            }
                        }
                        guard let id else { return }
                        let method = requests.first { $0.id == id }?.method ?? firstMethod
                        let answer: Swift.Result<Answer?, RPCError>
                        if let error {
                            answer = .failure(
                                resultIsNull
                                    ? RPCErrorBody.error(in: .object(["error": error]), method: method)
                                        ?? RPCError(.invalidResponse, "the answer to \(method) has a malformed error")
                                    : RPCReply.both(method))
                        } else {
                            answer = result ?? .failure(RPCReply.neither(method))
                        }
                        if byID.updateValue(answer, forKey: id) != nil { duplicated.insert(id) }
                    }
                }
            }
        } catch {
            throw RPCError(.invalidResponse, "the batch answer is not a JSON-RPC array: \(error)")
        }
        return requests.map { request in
            duplicated.contains(Int64(request.id))
                ? .failure(RPCReply.several(request.method)) : byID[Int64(request.id)] ?? .failure(RPCReply.none(request.method))
        }
    }

    /// Sends several calls of one answer type in one JSON-RPC batch and decodes each `result` as `Answer` (a null
    /// result is nil). One call's JSON-RPC error is returned in its place; a failure of the whole request throws.
    public func batch<Answer: Decodable & Sendable>(
        _ calls: [(method: String, params: [JSONValue])], as: Answer.Type
    ) async throws(RPCError) -> [Swift.Result<Answer?, RPCError>] {
        guard !calls.isEmpty else { return [] }
        let requests = calls.map { RPCRequest(id: requestIDs.next(), method: $0.method, params: $0.params) }
        let body = RPCRequest.serialized(requests)
        let data = try await send(
            body, method: "batch(\(calls.count) \(calls[0].method))", metricMethod: calls[0].method, count: CallCount(calls.map(\.method)))
        let answers: [RPCResponse<Answer>]
        do { answers = try JSONDecoder().decode([RPCResponse<Answer>].self, from: data) } catch {
            throw RPCError(.invalidResponse, "the batch answer is not a JSON-RPC array of \(Answer.self) replies: \(error)")
        }
        var byID: [Int: RPCResponse<Answer>] = [:]
        var duplicated: Set<Int> = []
        for answer in answers {
            if let id = answer.id, byID.updateValue(answer, forKey: id) != nil { duplicated.insert(id) }
        }
        return zip(requests, calls).map { request, call in
            guard !duplicated.contains(request.id) else { return .failure(RPCReply.several(call.method)) }
            guard let answer = byID[request.id] else { return .failure(RPCReply.none(call.method)) }
            return answer.outcome(method: call.method)
        }
    }

    static func decodeResponse<Result: Decodable>(_ data: Data, as: Result.Type, method: String) throws(RPCError) -> Result {
        let answer: RPCResponse<Result>
        do { answer = try JSONDecoder().decode(RPCResponse<Result>.self, from: data) } catch {
            throw RPCError(.invalidResponse, "the answer to \(method) is not what the method returns: \(error)")
        }
        guard let result = try answer.outcome(method: method).get() else {
            // A `null` result decodes as nil only when `Result` is itself optional.
            if let none = (Optional<Any>.none as Any) as? Result { return none }
            throw RPCError(.invalidResponse, "the answer to \(method) has no result")
        }
        return result
    }
}

/// The endpoint to try first: the last one that answered.
final class PreferredEndpoint: Sendable {
    private let value = Mutex(0)
    var index: Int {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// Request ids, unique within a client.
final class RequestIDs: Sendable {
    private let counter = Mutex(0)
    func next() -> Int {
        counter.withLock {
            $0 += 1
            return $0
        }
    }
}
