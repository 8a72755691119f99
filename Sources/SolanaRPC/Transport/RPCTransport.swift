import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// The HTTP side of the client: each JSON-RPC request posted with retries and failover.
extension SolanaRPCClient {
    func send(_ body: Data, method: String, metricMethod: String, count: CallCount) async throws(RPCError) -> Data {
        Data(try await send(buffer: body, method: method, metricMethod: metricMethod, count: count).readableBytesView)
    }

    /// Posts `body` to the preferred endpoint, with retries and failover, and returns the answer's bytes. Each HTTP
    /// request is timed in `solana_rpc_request_duration_seconds` and each failed one counted in
    /// `solana_rpc_errors_total`, by JSON-RPC method (`metricMethod`: a batch's method) and error code.
    /// `count` is what each attempt takes from the endpoint's rate limits.
    func send(buffer body: Data, method: String, metricMethod: String, count: CallCount) async throws(RPCError) -> ByteBuffer {
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
                let data = try await post(body, to: index, method: method, count: count)
                RPCMetrics.requestFinished(metricMethod, after: ContinuousClock.now - started)
                if index != start { preferred.index = index }
                return data
            } catch {
                RPCMetrics.requestFinished(metricMethod, after: ContinuousClock.now - started, error: error)
                lastError = error
                guard error.isTransient else { throw error }
                if let after = error.retryAfter {
                    guard after <= retry.maxRetryAfter else { throw error }
                    retryAfterFloor = max(retryAfterFloor ?? .zero, after)
                }
                logger.debug(
                    "transient RPC failure",
                    metadata: ["method": "\(method)", "endpoint": "\(endpoints[index])", "error": "\(error.message)", "attempt": "\(attempt + 1)"])
            }
        }
        throw lastError ?? RPCError(.transport, "\(method) failed")
    }

    /// One HTTP request to endpoint `index`, bounded as a whole by the client's timeout: connecting, the head and
    /// every byte of the body (AsyncHTTPClient's own deadline ends at the response head, so a body that stalls or
    /// drips would hold the call forever).
    func post(_ body: Data, to index: Int, method: String, count: CallCount) async throws(RPCError) -> ByteBuffer {
        let endpoint = endpoints[index]
        // A permit per call from the general limit, and per sendTransaction call from the send limit; the later of
        // the two waits.
        var wait = Duration.zero
        if count.calls > 0, let limiter = limiters[index] { wait = max(wait, await limiter.reserve(count.calls)) }
        if count.sends > 0, let limiter = sendLimiters[index] { wait = max(wait, await limiter.reserve(count.sends)) }
        if wait > .zero {
            do { try await Task.sleep(for: wait) } catch { throw RPCError(.transport, "\(method) was cancelled") }
        }
        guard let target = endpoint.requestTarget else {
            throw RPCError(.configuration, "the RPC URL \(endpoint) is not an http(s) URL", endpoint: endpoint.description)
        }
        var request = HTTPClientRequest(url: target.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let authorization = target.authorization { request.headers.add(name: "Authorization", value: authorization) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let outcome = await Self.within(timeout) { [self, request] in await exchange(request, with: endpoint, method: method, deadline: deadline) }
        guard let outcome else {
            throw RPCError(.timeout, "\(method) got no whole answer within \(timeout)", endpoint: endpoint.description)
        }
        return try outcome.get()
    }

    /// `body`'s result, or nil when `timeout` passed first (`body` is then cancelled, and awaited).
    static func within<Value: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async -> Value) async -> Value? {
        await withTaskGroup(of: Value?.self) { group in
            group.addTask { await body() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// Sends `request` and reads its answer: the body of a 200 (at most `maxResponseBytes`, UTF-8), else the status
    /// as an error (a 429's or 503's Retry-After read as untrusted input).
    private func exchange(
        _ request: HTTPClientRequest, with endpoint: RPCEndpoint, method: String, deadline: NIODeadline
    ) async
        -> Result<ByteBuffer, RPCError>
    {
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, deadline: deadline)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .failure(RPCError(.timeout, "\(method) got no answer within \(timeout)", endpoint: endpoint.description))
        } catch {
            return .failure(RPCError(.transport, "\(method) could not reach the endpoint: \(error)", endpoint: endpoint.description))
        }
        let status = Int(response.status.code)
        guard status == 200 else {
            // The body is not read: whatever it holds, the status says enough.
            // Untrusted: read as delay-seconds or an HTTP-date, at most a minute; anything else is ignored.
            let after = response.headers.first(name: "Retry-After").flatMap { RetryAfter($0) }?.delay
            if status == 429 {
                return .failure(
                    RPCError(
                        .rateLimited, "\(method): the endpoint answered 429 Too Many Requests", endpoint: endpoint.description, httpStatus: 429,
                        retryAfter: after))
            }
            return .failure(
                RPCError(
                    .httpStatus, "\(method): the endpoint answered HTTP \(status)", endpoint: endpoint.description, httpStatus: status,
                    retryAfter: status == 503 ? after : nil))
        }
        do {
            return .success(try await ResponseBody.read(response, limit: maxResponseBytes))
        } catch {
            switch error {
            case .tooLarge:
                return .failure(
                    RPCError(
                        .invalidResponse,
                        "the answer to \(method) is larger than \(Self.describe(bytes: maxResponseBytes)), the client's limit "
                            + "(maxResponseBytes): ask for less at once (smaller batches), or raise the limit if the node is trusted",
                        endpoint: endpoint.description))
            case .broke(let cause):
                return .failure(RPCError(.transport, "\(method): the answer broke off: \(cause)", endpoint: endpoint.description))
            case .notUTF8(let offset):
                return .failure(
                    RPCError(
                        .invalidResponse, "the answer to \(method) is not UTF-8 JSON (a malformed byte at offset \(offset))",
                        endpoint: endpoint.description))
            }
        }
    }

    /// `bytes` for a message: in MiB when whole.
    static func describe(bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}

extension TimeAmount {
    /// NIO's form of a Swift `Duration` (saturating: a timeout of centuries is no trap).
    init(_ duration: Duration) {
        self = .nanoseconds(duration.nanoseconds)
    }
}
