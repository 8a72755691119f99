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

/// A claimed job and the mint address this worker derives for it (the state machine never sees the master seed).
public struct ClaimedJob: Sendable, Hashable {
    public var job: TokenJob
    public var derivedMint: PublicKey

    public init(job: TokenJob, derivedMint: PublicKey) {
        self.job = job
        self.derivedMint = derivedMint
    }
}

/// A signed transaction, the block height after which it can no longer land, and the most it can take from the fee
/// payer (fees and the rent it pays, in lamports).
public struct BuiltTransaction: Sendable, Hashable {
    public var transaction: Transaction
    public var lastValidBlockHeight: UInt64
    public var maxCost: UInt64

    public init(transaction: Transaction, lastValidBlockHeight: UInt64, maxCost: UInt64 = 0) {
        self.transaction = transaction
        self.lastValidBlockHeight = lastValidBlockHeight
        self.maxCost = maxCost
    }
}

/// Why a transaction could not be built.
public enum BuildFailure: Error, Sendable, Hashable {
    /// It may work later (no blockhash yet, the RPC failed): build again.
    case transient(String)
    /// It never will with this job or this payer (the calibration's simulation found the payer unfunded, the
    /// transaction too large): fail the job with this class and message.
    case permanent(errorClass: String, String)
    /// The simulation found the mint address in use: find out whose mint it is.
    case mintAddressInUse(String)
}

/// How a `.finish` write went.
public enum WriteResult: Sendable, Hashable {
    /// Written: the job left the worker.
    case written
    /// The job is no longer held under this lease (rescued and claimed again, cancelled): it is someone else's.
    case leaseLost
    /// The database did not answer; the write may or may not have taken effect: write again.
    case failed(String)
}
