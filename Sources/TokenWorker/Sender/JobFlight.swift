import FlutterbyeStore
import Foundation
import SolanaCore

/// One job in flight in the sender's state machine: its lease, what it stored, its newest transaction and the step it
/// is at.
struct JobFlight: Sendable, Hashable {
    var lease: JobLease
    let idempotencyKey: String
    /// When the job was enqueued.
    let enqueuedAt: Date
    /// The job's claim count, for the backoff of a transient failure.
    let attempt: Int
    /// The job's fields, checked; nil when they are invalid.
    let plan: TokenCreationPlan?
    /// What the job's mint must be (at its stored address, or the derived one); nil when the plan is invalid.
    let expectation: MintExpectation?
    /// Every transaction the job stored, oldest first: all create the same mint, so at most one can land.
    var signatures: [Signature]
    /// The newest stored transaction, while it may be sent or followed.
    var live: LiveTransaction?
    var phase: Phase
    /// The failure to record when the job's stored transactions turn out to have created nothing and it may not sign
    /// again (its fields are invalid, its attempts are used up, or its stored mint is not the derived one); nil when
    /// it may sign new transactions.
    let resolveFailure: FailureReason?
    /// Sends stop once this passes without a renewal: the lease may have expired and another worker may hold the job.
    var leaseValidUntil: ContinuousClock.Instant
    /// Retries of the current step, for its backoff.
    var retries = 0
    /// Build the next transaction with a simulation of its own (it ran out of compute units).
    var simulateOwnUnits = false
    /// Since when verifications found the mint without any of the job's transactions as its creator.
    var unattributedSince: ContinuousClock.Instant?
    /// When a verdict that would fail the job read its mint absent first (`SenderMachine.lagPatience`).
    var absentSince: ContinuousClock.Instant?

    var mayBuild: Bool { resolveFailure == nil }

    /// Whether one of the job's transactions could still land: the newest one, unless it was refused by the preflight,
    /// landed (failing), or expired at `blockHeight`. (Older ones expired before it was signed.)
    func couldStillLand(blockHeight: UInt64?) -> Bool {
        guard let live, !live.refused, !live.landedFailed else { return false }
        guard let blockHeight else { return true }
        return blockHeight <= live.lastValidBlockHeight
    }

    /// Whether the status poll asks for the job's transactions: while it follows them, once the first send of its
    /// newest one has been answered (before that, there is nothing to see).
    var isPolled: Bool {
        guard phase == .following else { return false }
        guard let live, live.unanswered else { return true }
        return signatures.count > 1  // its older transactions may still show up
    }

    /// Whether the job is looking for its token or building a new transaction (nothing of it being stored): a
    /// confirmation of one of its transactions heard then settles it.
    var isLookingForItsToken: Bool {
        switch phase {
        case .verifying, .verifyDue, .building, .buildDue: true
        default: false
        }
    }

    /// Orders to verify the job's token.
    func verifyOrder() -> VerifyOrder? {
        expectation.map { VerifyOrder(jobID: lease.jobID, expected: $0, signatures: signatures, enqueuedAt: enqueuedAt) }
    }
}
