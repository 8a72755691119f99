public import FlutterbyeStore
import Foundation
public import SolanaCore
public import SolanaRPC

/// What happened, as the sender's state machine hears it: the results of its actions, the chain's block height, time
/// passing, and shutdown.
public enum SenderEvent: Sendable {
    /// Time passed: the machine decides what is due (claims, polls, rebroadcasts, renewals, retries).
    case tick
    /// New jobs may be waiting (a NOTIFY).
    case jobsAvailable
    /// The answer to `.claim`: each job with the mint address the worker's master seed derives for it.
    case claimed([ClaimedJob])
    /// `.claim` failed (the database).
    case claimFailed(String)
    /// The answers to `.build`, one per order.
    case built([(jobID: Int64, result: Result<BuiltTransaction, BuildFailure>)])
    /// The answer to `.store`: the jobs whose transactions were stored (the others are no longer held).
    case stored(Set<Int64>, of: [Int64])
    /// `.store` failed; the statement may or may not have taken effect.
    case storeFailed([Int64], String)
    /// The answers to `.send`, one per order.
    case sent([(jobID: Int64, signature: Signature, outcome: SendOutcome)])
    /// The answer to `.pollStatuses`: each signature asked and its status (nil: the node does not know it).
    case statuses([Signature: SignatureStatus?])
    /// PubSub notifications: these transactions reached the confirmed commitment (with their error when they failed),
    /// heard before the next poll would have asked.
    case notified([Signature: SignatureStatus])
    /// `.pollStatuses` failed (whatever the RPC answered: never a reason to fail a job).
    case statusPollFailed(String)
    /// The chain's block height (confirmed commitment), as last seen.
    case blockHeight(UInt64)
    /// The fee payer's balance, just read (lamports).
    case payerBalance(UInt64)
    /// The answer to `.verify`; an RPC failure comes as `.unknown`.
    case verified(jobID: Int64, MintVerdict)
    /// The answer to `.finish`.
    case written(jobID: Int64, WriteResult)
    /// The answer to `.renewLeases`: the ids still held, of those asked (asked for at `askedAt`).
    case leasesRenewed(held: Set<Int64>, asked: [JobLease], askedAt: ContinuousClock.Instant)
    /// `.renewLeases` failed.
    case leaseRenewalFailed(String)
    /// Graceful shutdown: claim nothing more, give every job back.
    case shutdown
}
