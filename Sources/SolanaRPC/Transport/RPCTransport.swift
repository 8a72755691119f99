import AsyncHTTPClient
import Logging
import Foundation
import NIOCore
import NIOHTTP1

/// The HTTP side of the client: each JSON-RPC request posted with retries and failover.
extension SolanaRPCClient {
    func send(_ body: Data, method: String, metricMethod: String) async throws(RPCError) -> Data {
        Data(try await send(buffer: body, method: method, metricMethod: metricMethod).readableBytesView)
    }

    /// Posts `body` to the preferred endpoint, with retries and failover, and returns the answer's bytes. Each HTTP
    /// request is timed in `solana_rpc_request_duration_seconds` and each failed one counted in
    /// `solana_rpc_errors_total`, by JSON-RPC method (`metricMethod`: a batch's method) and error code.
    func send(buffer body: Data, method: String, metricMethod: String) async throws(RPCError) -> ByteBuffer {
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

    func post(_ body: Data, to index: Int, method: String) async throws(RPCError) -> ByteBuffer {
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
}

extension TimeAmount {
    /// NIO's form of a Swift `Duration`.
    init(_ duration: Duration) {
        self = .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
