public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// One JSON-RPC endpoint and the request rate its provider's plan allows.
public struct RPCEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The HTTP(S) URL.
    public var url: String
    /// Requests per second this client sends at most (`nil`: unlimited), so it slows down before the provider
    /// answers 429.
    public var requestsPerSecond: Double?

    public init(url: String, requestsPerSecond: Double? = nil) {
        self.url = url
        self.requestsPerSecond = requestsPerSecond
    }

    /// The URL without its query string (providers put API keys there).
    public var description: String { url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url }
}

extension RPCEndpoint {
    /// The endpoints `SOLANA_RPC_URL` names (several, comma-separated, for failover), each limited to
    /// `SOLANA_RPC_REQUESTS_PER_SECOND` when set, with a line per problem found (an unset or malformed variable).
    public static func fromEnvironment(_ environment: [String: String]) -> (endpoints: [RPCEndpoint], problems: [String]) {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else { return nil }
            return raw
        }
        var problems: [String] = []
        var endpoints: [RPCEndpoint] = []
        let rate: Double? = value("SOLANA_RPC_REQUESTS_PER_SECOND").flatMap { text in
            guard let number = Double(text), number > 0 else {
                problems.append("SOLANA_RPC_REQUESTS_PER_SECOND must be a positive number, not '\(text)'")
                return nil
            }
            return number
        }
        if let urls = value("SOLANA_RPC_URL") {
            for url in urls.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !url.isEmpty {
                guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
                    problems.append("SOLANA_RPC_URL: '\(RPCEndpoint(url: url))' is not an http(s) URL")
                    continue
                }
                endpoints.append(RPCEndpoint(url: url, requestsPerSecond: rate))
            }
        } else {
            problems.append("SOLANA_RPC_URL is not set: the JSON-RPC URL of a Solana node (several, comma-separated, for failover)")
        }
        return (endpoints, problems)
    }
}

/// How the client retries: transient failures (network, timeouts, 429, 5xx, node behind) move to the next
/// endpoint at once; after every endpoint failed, it waits with exponential backoff and jitter (at least the
/// Retry-After a 429 asked for) and goes round again, up to `maxAttempts` requests in all.
public struct RPCRetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration

    public init(maxAttempts: Int = 6, initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// The wait before round `round` (1 = after the first full round), with ±50% jitter, at least `floor`.
    func backoff(round: Int, floor: Duration?) -> Duration {
        let base = initialBackoff * (1 << min(round - 1, 20))
        let capped = min(base, maxBackoff)
        let jittered = capped * Double.random(in: 0.5...1.5)
        return max(jittered, floor ?? .zero)
    }
}

/// A Solana JSON-RPC client over HTTP (AsyncHTTPClient): typed calls and batches, a per-request timeout,
/// several endpoints with failover, a client-side rate limit per endpoint, and retries of transient failures.
public struct SolanaRPCClient: Sendable {
    private let endpoints: [RPCEndpoint]
    private let limiters: [RequestRateLimiter?]
    private let preferred: PreferredEndpoint
    private let httpClient: HTTPClient
    private let timeout: Duration
    private var retry: RPCRetryPolicy
    private let logger: Logger
    private let requestIDs = RequestIDs()

    /// A client for `endpoints` (tried in order, the last one that answered first), using `httpClient`.
    public init(
        endpoints: [RPCEndpoint], httpClient: HTTPClient = .shared, timeout: Duration = .seconds(10),
        retry: RPCRetryPolicy = RPCRetryPolicy(), logger: Logger
    ) throws(RPCError) {
        guard !endpoints.isEmpty else { throw RPCError(.configuration, "no RPC endpoint is configured: set SOLANA_RPC_URL") }
        for endpoint in endpoints {
            guard let url = URL(string: endpoint.url), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
                url.host != nil
            else {
                throw RPCError(.configuration, "the RPC URL \(endpoint) is not an http(s) URL")
            }
        }
        self.endpoints = endpoints
        self.limiters = endpoints.map { endpoint in endpoint.requestsPerSecond.map { RequestRateLimiter(perSecond: $0) } }
        self.preferred = PreferredEndpoint()
        self.httpClient = httpClient
        self.timeout = timeout
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

    // MARK: Calls

    /// Calls `method` with `params` and decodes its `result` as `Result`.
    public func call<Result: Decodable & Sendable>(_ method: String, _ params: [JSONValue] = [], as: Result.Type = Result.self) async throws(RPCError) -> Result {
        let id = requestIDs.next()
        let body: Data
        body = RPCRequest(id: id, method: method, params: params).serialized
        let data = try await send(body, method: method, metricMethod: method)
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
        let data = try await send(body, method: "batch(\(calls.count) \(calls[0].method))", metricMethod: calls[0].method)
        guard case .array(let answers) = try JSONValue.parse(data) else {
            throw RPCError(.invalidResponse, "the batch answer is not a JSON-RPC array")
        }
        var byID: [Int64: JSONValue] = [:]
        for answer in answers {
            if case .int(let id)? = answer["id"] { byID[id] = answer }
        }
        return zip(requests, calls).map { request, call in
            guard let answer = byID[Int64(request.id)] else {
                return .failure(RPCError(.invalidResponse, "the batch answer has no reply to \(call.method)"))
            }
            if let error = RPCErrorBody.error(in: answer, method: call.method) { return .failure(error) }
            return .success(answer["result"] ?? .null)
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
        let reply = try await send(buffer: RPCRequest.serialized(requests), method: "batch(\(calls.count) \(calls[0].method))", metricMethod: calls[0].method)
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
           let error = RPCErrorBody.error(in: answer, method: firstMethod) {
            throw error
        }
        var byID: [Int64: Swift.Result<Answer?, RPCError>] = [:]
        do throws(JSONParser.Failure) {
            try reply.withUnsafeReadableBytes { raw throws(JSONParser.Failure) in
                try JSONParser.reading(raw.bindMemory(to: UInt8.self)) { parser throws(JSONParser.Failure) in
                    try parser.elements { parser throws(JSONParser.Failure) in
                        var id: Int64?, answer: Swift.Result<Answer?, RPCError> = .success(nil), answered = false
                        try parser.members { parser, name throws(JSONParser.Failure) in
                            if name == "id" {
                                id = try parser.readNull() ? nil : try parser.readInt64()
                            } else if name == "result" {
                                answered = true
                                if try parser.readNull() { return }
                                let start = parser.position
                                do throws(RPCError) {
                                    answer = .success(try decode(&parser))
                                } catch {
                                    // The rest of the reply is still read: past this result, whatever it holds.
                                    answer = .failure(error)
                                    parser.rewind(to: start)
                                    try parser.skipValue()
                                }
                            } else if name == "error" {
                                let error = try parser.readValue()
                                guard error != .null else { return }
                                answered = true
                                let method = id.flatMap { id in requests.first { $0.id == id }?.method } ?? firstMethod
                                answer = .failure(
                                    RPCErrorBody.error(in: .object(["error": error]), method: method)
                                        ?? RPCError(.invalidResponse, "the answer to \(method) has a malformed error"))
                            } else {
                                try parser.skipValue()
                            }
                        }
                        if let id, answered { byID[id] = answer }
                    }
                }
            }
        } catch {
            throw RPCError(.invalidResponse, "the batch answer is not a JSON-RPC array: \(error)")
        }
        return requests.map { request in
            byID[Int64(request.id)] ?? .failure(RPCError(.invalidResponse, "the batch answer has no reply to \(request.method)"))
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
        let data = try await send(body, method: "batch(\(calls.count) \(calls[0].method))", metricMethod: calls[0].method)
        let answers: [RPCResponse<Answer>]
        do { answers = try JSONDecoder().decode([RPCResponse<Answer>].self, from: data) } catch {
            throw RPCError(.invalidResponse, "the batch answer is not a JSON-RPC array of \(Answer.self) replies: \(error)")
        }
        var byID: [Int: RPCResponse<Answer>] = [:]
        for answer in answers { if let id = answer.id { byID[id] = answer } }
        return zip(requests, calls).map { request, call in
            guard let answer = byID[request.id] else {
                return .failure(RPCError(.invalidResponse, "the batch answer has no reply to \(call.method)"))
            }
            if let error = answer.error { return .failure(error.rpcError(method: call.method)) }
            return .success(answer.result)
        }
    }

    // MARK: Transport

    private func send(_ body: Data, method: String, metricMethod: String) async throws(RPCError) -> Data {
        Data(try await send(buffer: body, method: method, metricMethod: metricMethod).readableBytesView)
    }

    /// Posts `body` to the preferred endpoint, with retries and failover, and returns the answer's bytes. Each HTTP
    /// request is timed in `solana_rpc_request_duration_seconds` and each failed one counted in
    /// `solana_rpc_errors_total`, by JSON-RPC method (`metricMethod`: a batch's method) and error code.
    private func send(buffer body: Data, method: String, metricMethod: String) async throws(RPCError) -> ByteBuffer {
        var lastError: RPCError?
        var retryAfterFloor: Duration?
        let start = preferred.index % endpoints.count
        for attempt in 0..<retry.maxAttempts {
            let round = attempt / endpoints.count
            if attempt > 0 && attempt % endpoints.count == 0 {
                let wait = retry.backoff(round: round, floor: retryAfterFloor)
                retryAfterFloor = nil
                do { try await Task.sleep(for: wait) } catch { throw RPCError(.transport, "\(method) was cancelled") }
            }
            let index = (start + attempt) % endpoints.count
            let started = ContinuousClock.now
            do {
                let data = try await post(body, to: index, method: method)
                RPCMetrics.requestFinished(metricMethod, after: ContinuousClock.now - started)
                if index != start { preferred.index = index }
                return data
            } catch {
                RPCMetrics.requestFinished(metricMethod, after: ContinuousClock.now - started, error: error)
                lastError = error
                guard error.isTransient else { throw error }
                if let after = error.retryAfter { retryAfterFloor = max(retryAfterFloor ?? .zero, after) }
                logger.debug(
                    "transient RPC failure",
                    metadata: ["method": "\(method)", "endpoint": "\(endpoints[index])", "error": "\(error.message)", "attempt": "\(attempt + 1)"])
            }
        }
        throw lastError ?? RPCError(.transport, "\(method) failed")
    }

    private func post(_ body: Data, to index: Int, method: String) async throws(RPCError) -> ByteBuffer {
        let endpoint = endpoints[index]
        if let limiter = limiters[index] { await limiter.acquire() }
        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: TimeAmount(timeout))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw RPCError(.timeout, "\(method) got no answer within \(timeout)", endpoint: endpoint.description)
        } catch {
            throw RPCError(.transport, "\(method) could not reach the endpoint: \(error)", endpoint: endpoint.description)
        }
        let bytes: ByteBuffer
        do { bytes = try await response.body.collect(upTo: 64 * 1024 * 1024) } catch {
            throw RPCError(.transport, "\(method): the answer broke off: \(error)", endpoint: endpoint.description)
        }
        let status = Int(response.status.code)
        guard status == 200 else {
            if status == 429 {
                // Untrusted: read as delay-seconds or an HTTP-date, at most a minute; anything else is ignored.
                let after = response.headers.first(name: "Retry-After").flatMap { RetryAfter($0) }?.delay
                throw RPCError(
                    .rateLimited, "\(method): the endpoint answered 429 Too Many Requests", endpoint: endpoint.description, httpStatus: 429,
                    retryAfter: after)
            }
            throw RPCError(.httpStatus, "\(method): the endpoint answered HTTP \(status)", endpoint: endpoint.description, httpStatus: status)
        }
        return bytes
    }

    static func decodeResponse<Result: Decodable>(_ data: Data, as: Result.Type, method: String) throws(RPCError) -> Result {
        let answer: RPCResponse<Result>
        do { answer = try JSONDecoder().decode(RPCResponse<Result>.self, from: data) } catch {
            throw RPCError(.invalidResponse, "the answer to \(method) is not what the method returns: \(error)")
        }
        if let error = answer.error { throw error.rpcError(method: method) }
        guard let result = answer.result else {
            // A `null` result decodes as nil only when `Result` is itself optional.
            if let none = (Optional<Any>.none as Any) as? Result { return none }
            throw RPCError(.invalidResponse, "the answer to \(method) has no result")
        }
        return result
    }
}

/// One JSON-RPC 2.0 call, written as JSON by hand (`JSONValue.serialized`).
struct RPCRequest {
    /// A call's parameters: values, or their JSON array already written (the indexer's `getTransaction` calls, by
    /// the thousand, skip building and serializing a tree for each).
    enum Params {
        case values([JSONValue])
        case serialized([UInt8])
    }

    let id: Int
    let method: String
    let params: Params

    init(id: Int, method: String, params: [JSONValue]) {
        self.init(id: id, method: method, params: .values(params))
    }

    init(id: Int, method: String, params: Params) {
        self.id = id
        self.method = method
        self.params = params
    }

    var serialized: Data {
        var out: [UInt8] = []
        append(to: &out)
        return Data(out)
    }

    static func serialized(_ requests: [RPCRequest]) -> Data {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (index, request) in requests.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            request.append(to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return Data(out)
    }

    func append(to out: inout [UInt8]) {
        out.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        out.append(contentsOf: String(id).utf8)
        out.append(contentsOf: #","method":"#.utf8)
        JSONValue.serialize(string: method, into: &out)
        out.append(contentsOf: #","params":"#.utf8)
        switch params {
        case .values(let values): JSONValue.array(values).serialize(into: &out)
        case .serialized(let bytes): out.append(contentsOf: bytes)
        }
        out.append(UInt8(ascii: "}"))
    }
}

struct RPCResponse<Result: Decodable>: Decodable {
    let id: Int?
    let result: Result?
    let error: RPCErrorBody?
}

struct RPCErrorBody: Decodable {
    let code: Int
    let message: String
    let data: JSONValue?

    func rpcError(method: String) -> RPCError {
        RPCMetrics.errorAnswered(method)
        return RPCError(.rpc, "\(method) failed: \(message) (JSON-RPC error \(code))", rpcCode: code, data: data)
    }

    /// The error a parsed JSON-RPC reply carries, as `rpcError` makes it; nil when it carries none.
    static func error(in answer: JSONValue, method: String) -> RPCError? {
        guard let error = answer["error"], error != .null else { return nil }
        guard case .int(let code)? = error["code"], case .string(let message)? = error["message"] else {
            return RPCError(.invalidResponse, "the answer to \(method) has a malformed error")
        }
        return RPCErrorBody(code: Int(code), message: message, data: error["data"]).rpcError(method: method)
    }
}

extension TimeAmount {
    /// NIO's form of a Swift `Duration`.
    init(_ duration: Duration) {
        self = .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
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
    func next() -> Int { counter.withLock { $0 += 1; return $0 } }
}

/// A token bucket: at most `perSecond` requests a second on average, in bursts of at most one second's worth.
actor RequestRateLimiter {
    private let perSecond: Double
    private let capacity: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    init(perSecond: Double) {
        self.perSecond = max(perSecond, 0.001)
        self.capacity = max(1, perSecond)
        self.tokens = max(1, perSecond)
        self.updated = .now
    }

    /// Waits until a request may be sent.
    func acquire() async {
        while true {
            let now = ContinuousClock.now
            let elapsed = now - updated
            tokens = min(capacity, tokens + perSecond * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            updated = now
            if tokens >= 1 {
                tokens -= 1
                return
            }
            let wait = (1 - tokens) / perSecond
            try? await Task.sleep(for: .milliseconds(Int64(wait * 1000) + 1))
        }
    }
}
