import CoreMetrics
import FlutterbyeStore

/// The token jobs' metrics, through swift-metrics (a no-op until the process bootstraps a backend, as `flutterbye run`
/// does with Prometheus): the enqueue-to-confirmation latency, and failed attempts by error class and by what became
/// of the job (`failed` for good, or `retried`).
public enum JobMetrics {
    /// The confirmation latency's histogram name.
    public static let confirmationLatency = "flutterbye_job_confirmation_seconds"
    /// The failure counter's name.
    public static let failures = "flutterbye_job_failures_total"

    /// The confirmation latency's buckets: a job waits for its turn in the queue, then for its transaction to land
    /// (seconds on a healthy cluster, minutes when the queue is deep), so the buckets reach 30 minutes; the default
    /// ones stop at 10 s, where every p95 above it would read 10 s.
    public static let confirmationBuckets: [Duration] = [
        .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(20), .seconds(30), .seconds(60),
        .seconds(120), .seconds(300), .seconds(600), .seconds(1800),
    ]

    /// Records a job confirmed `seconds` after it was enqueued.
    static func confirmed(after seconds: Double) {
        Timer(label: confirmationLatency, preferredDisplayUnit: .seconds).recordSeconds(max(0, seconds))
    }

    /// Counts a failed attempt of class `errorClass` that left the job in `state` (`failed`: for good; else retried).
    static func failureRecorded(errorClass: String, leaving state: TokenJobState) {
        Counter(label: failures, dimensions: [("error_class", errorClass), ("outcome", Self.outcome(state))]).increment()
    }

    /// Counts the jobs a rescue of expired leases retried and failed (class `lease_expired`).
    static func leasesRescued(_ rescue: LeaseRescue) {
        for (count, state) in [(rescue.retried, TokenJobState.retryable), (rescue.failed, .failed)] where count > 0 {
            Counter(label: failures, dimensions: [("error_class", "lease_expired"), ("outcome", Self.outcome(state))]).increment(by: count)
        }
    }

    /// Counts confirmed jobs given back to the workers because the block that confirmed them was abandoned (class
    /// `confirmation_abandoned`, retried).
    static func confirmationsAbandoned(_ count: Int) {
        guard count > 0 else { return }
        Counter(label: failures, dimensions: [("error_class", "confirmation_abandoned"), ("outcome", "retried")]).increment(by: count)
    }

    /// The `outcome` label of a failed attempt that left its job in `state`.
    static func outcome(_ state: TokenJobState) -> String {
        state == .failed ? "failed" : "retried"
    }
}
