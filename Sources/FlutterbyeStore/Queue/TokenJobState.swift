import Foundation
import SolanaCore

/// Where a token job is in its life: the queue's whole state machine (see `schema.sql`, version 2).
public enum TokenJobState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Waiting to be claimed.
    case available
    /// Claimed by a worker that holds its lease.
    case running
    /// The signed transaction is stored and has been (or is about to be) sent.
    case submitted
    /// The transaction is confirmed on chain: the job is done for the backend.
    case confirmed
    /// The transaction is finalized.
    case finalized
    /// A transient error happened; the job runs again at `scheduledAt`.
    case retryable
    /// A permanent error, or attempts exhausted: the job will not run again unless retried by an operator.
    case failed
    /// Cancelled by an operator before it finished.
    case cancelled

    /// Whether the job has reached an end state (no worker will touch it again on its own).
    public var isFinished: Bool { [.finalized, .failed, .cancelled].contains(self) }
}
