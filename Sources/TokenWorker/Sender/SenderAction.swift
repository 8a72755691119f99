public import FlutterbyeStore
import Foundation
public import Logging
public import SolanaCore

/// What the sender's state machine asks its I/O loop to do. Each action's result comes back as a `SenderEvent`.
public enum SenderAction: Sendable, Hashable {
    /// Claim up to `limit` jobs, never one of `excluding` (the jobs in flight here).
    case claim(limit: Int, excluding: [Int64])
    /// Build and sign these jobs' transactions with the shared recent blockhash, fee and compute-unit limit
    /// (`.built`).
    case build([BuildOrder])
    /// Store these signed transactions before their first send (`.stored`).
    case store([TransactionSubmission])
    /// Send these transactions, in one batch (`.sent`).
    case send([SendOrder])
    /// Ask the statuses of these signatures (`.statuses`).
    case pollStatuses([Signature])
    /// Find out whether a job's token exists (`.verified`).
    case verify(VerifyOrder)
    /// Write a job's outcome (`.written`).
    case finish(JobOutcome)
    /// Renew these leases (`.leasesRenewed`).
    case renewLeases([JobLease])
    /// Tell the operator (a log line); `job` names the job it is about, if any.
    case log(Logger.Level, String, job: Int64?)
}

/// A job whose transaction is to be built: the plan, the mint (whose keypair the loop derives from the idempotency
/// key; the machine never holds secrets), and whether to simulate this very transaction for its compute units (after
/// it ran out of them) instead of using its shape's calibration.
public struct BuildOrder: Sendable, Hashable {
    public var jobID: Int64
    public var idempotencyKey: String
    public var plan: TokenCreationPlan
    public var mint: PublicKey
    public var simulateOwnUnits: Bool

    public init(jobID: Int64, idempotencyKey: String, plan: TokenCreationPlan, mint: PublicKey, simulateOwnUnits: Bool) {
        self.jobID = jobID
        self.idempotencyKey = idempotencyKey
        self.plan = plan
        self.mint = mint
        self.simulateOwnUnits = simulateOwnUnits
    }
}

/// A transaction to send: `preflight` for its first send (the node simulates it and refuses what would fail), never
/// for a rebroadcast (a transaction that may have landed would be refused as already processed).
public struct SendOrder: Sendable, Hashable {
    public var jobID: Int64
    public var transaction: Transaction
    public var preflight: Bool

    public init(jobID: Int64, transaction: Transaction, preflight: Bool) {
        self.jobID = jobID
        self.transaction = transaction
        self.preflight = preflight
    }
}

/// A job whose token's existence is to be judged (`MintVerdict`), with all its transactions' signatures.
public struct VerifyOrder: Sendable, Hashable {
    public var jobID: Int64
    public var expected: MintExpectation
    public var signatures: [Signature]

    public init(jobID: Int64, expected: MintExpectation, signatures: [Signature]) {
        self.jobID = jobID
        self.expected = expected
        self.signatures = signatures
    }
}

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
