public import Foundation
import SolanaCore

/// A token job row: the request, where it is in the state machine, and what the worker stored on the way.
public struct TokenJob: Sendable, Hashable {
    public var id: Int64
    public var request: TokenJobRequest
    public var state: TokenJobState
    /// How many times the job has been claimed.
    public var attempt: Int
    /// The worker holding (or last holding) the lease.
    public var attemptedBy: String?
    /// The token of the job's newest claim: the steps of that claim name it (`lease`).
    public var leaseToken: Int64?
    public var leaseExpiresAt: Date?
    public var errors: [TokenJobAttemptError]
    /// The mint address (deterministic from the idempotency key), once derived.
    public var mintAddress: String?
    /// The signature of the newest stored transaction (base58).
    public var signature: String?
    /// Every transaction the job ever stored, oldest first (base58 signatures): at most one of them can land, as all
    /// create the same mint account.
    public var signatures: [String]
    /// The signed transaction, stored before its first send.
    public var rawTransaction: [UInt8]?
    /// The block height after which the stored transaction can no longer land.
    public var lastValidBlockHeight: UInt64?
    public var createdAt: Date
    public var updatedAt: Date
    public var submittedAt: Date?
    public var confirmedAt: Date?
    public var finalizedAt: Date?
    public var finishedAt: Date?

    /// A job row as the queue reads it (also for tests of code that takes jobs).
    public init(
        id: Int64, request: TokenJobRequest, state: TokenJobState, attempt: Int = 0, attemptedBy: String? = nil, leaseToken: Int64? = nil,
        leaseExpiresAt: Date? = nil, errors: [TokenJobAttemptError] = [], mintAddress: String? = nil, signature: String? = nil,
        signatures: [String] = [], rawTransaction: [UInt8]? = nil, lastValidBlockHeight: UInt64? = nil, createdAt: Date, updatedAt: Date,
        submittedAt: Date? = nil, confirmedAt: Date? = nil, finalizedAt: Date? = nil, finishedAt: Date? = nil
    ) {
        self.id = id
        self.request = request
        self.state = state
        self.attempt = attempt
        self.attemptedBy = attemptedBy
        self.leaseToken = leaseToken
        self.leaseExpiresAt = leaseExpiresAt
        self.errors = errors
        self.mintAddress = mintAddress
        self.signature = signature
        self.signatures = signatures
        self.rawTransaction = rawTransaction
        self.lastValidBlockHeight = lastValidBlockHeight
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.submittedAt = submittedAt
        self.confirmedAt = confirmedAt
        self.finalizedAt = finalizedAt
        self.finishedAt = finishedAt
    }

    /// The hold of the job's newest claim, which every step of its runner names; nil for a job never claimed.
    public var lease: JobLease? { leaseToken.map { JobLease(jobID: id, token: $0) } }
}
