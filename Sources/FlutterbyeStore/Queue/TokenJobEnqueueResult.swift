import Foundation
import SolanaCore

/// The outcome of an enqueue: the job's id and state, and whether this call created it.
public struct TokenJobEnqueueResult: Sendable, Hashable {
    public var jobID: Int64
    /// False when a job with the same idempotency key (and the same parameters) already existed.
    public var inserted: Bool
    public var state: TokenJobState
}
