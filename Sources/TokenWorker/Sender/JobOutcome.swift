public import FlutterbyeStore
public import SolanaCore

/// How a job leaves the worker: each written under its lease.
public enum JobOutcome: Sendable, Hashable {
    /// Landed: confirmed by `signature`, one of the job's transactions.
    case confirm(JobLease, signature: Signature)
    /// Failed for good, with a class and a message for the operator.
    case fail(JobLease, errorClass: String, message: String)
    /// Back to the queue after a transient failure, to run again in `after`.
    case retry(JobLease, errorClass: String, message: String, after: Duration)
    /// Given back without a failure (shutdown), resumed by the next worker from what it stored.
    case release(JobLease)

    public var lease: JobLease {
        switch self {
        case .confirm(let lease, _), .fail(let lease, _, _), .retry(let lease, _, _, _), .release(let lease): lease
        }
    }
}
