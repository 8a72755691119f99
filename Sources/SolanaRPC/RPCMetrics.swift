import CoreMetrics
import Synchronization

/// The RPC client's metrics, through swift-metrics (a no-op until the process bootstraps a backend, as
/// `flutterbye run` does with Prometheus): request latency and errors by JSON-RPC method.
enum RPCMetrics {
    /// Records one HTTP request: its duration, and its error by code (`transport`, `timeout`, `rateLimited`,
    /// `httpStatus`, `rpc`, ...) when it failed.
    static func requestFinished(_ method: String, after duration: Duration, error: RPCError? = nil) {
        RPCRequestTally.requests.add(1, ordering: .relaxed)
        if error != nil { RPCRequestTally.failedRequests.add(1, ordering: .relaxed) }
        let dimensions = [("method", method)]
        Timer(label: "solana_rpc_request_duration_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
            .recordNanoseconds(duration.nanoseconds)
        if let error {
            Counter(label: "solana_rpc_errors_total", dimensions: dimensions + [("code", error.code.description)]).increment()
        }
    }

    /// Counts a JSON-RPC error answer (the request itself went through).
    static func errorAnswered(_ method: String) {
        RPCRequestTally.errorAnswers.add(1, ordering: .relaxed)
        Counter(label: "solana_rpc_errors_total", dimensions: [("method", method), ("code", RPCError.Code.rpc.description)]).increment()
    }
}

/// The RPC requests of this process since it started, over every client: what the status API's `/v1/stats` shows
/// beside the Prometheus metrics.
public enum RPCRequestTally {
    static let requests = Atomic<Int>(0)
    static let failedRequests = Atomic<Int>(0)
    static let errorAnswers = Atomic<Int>(0)

    /// HTTP requests sent, those that failed (transport, timeout, 429, other HTTP status), and JSON-RPC error
    /// answers received.
    public static var current: (requests: Int, failedRequests: Int, errorAnswers: Int) {
        (requests.load(ordering: .relaxed), failedRequests.load(ordering: .relaxed), errorAnswers.load(ordering: .relaxed))
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
