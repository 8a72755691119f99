public import Foundation
public import SolanaCore

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

/// What the backend asks for: create an SPL token with metadata and mint `amount` base units to `recipient`.
/// `amount` is text so that any u64 (and any mistake) reaches the database's validation unchanged.
public struct TokenJobRequest: Sendable, Hashable, Codable {
    /// Chosen by the backend; the same key always refers to the same job.
    public var idempotencyKey: String
    /// `token` (the classic SPL Token program) or `token-2022`.
    public var tokenProgram: String
    public var decimals: Int
    public var name: String
    public var symbol: String
    public var uri: String
    /// Base units, as decimal digits (a u64).
    public var amount: String
    /// The wallet (base58) whose associated token account receives the supply.
    public var recipient: String
    public var memo: String?
    /// Higher runs first (-100...100).
    public var priority: Int
    /// Not before this time (default: now).
    public var scheduledAt: Date?
    public var maxAttempts: Int
    /// After minting: `keep` (the service keeps the mint authority), `revoke` (a fixed supply) or an address (base58).
    public var mintAuthority: String
    /// `none` (nobody can freeze), `ours` (the service's mint authority key) or an address.
    public var freezeAuthority: String
    /// Token-2022 only: who may update the metadata afterwards, `ours`, `none` or an address; nil is `ours` for
    /// Token-2022 and nothing for a classic token (`storedMetadataUpdateAuthority`).
    public var metadataUpdateAuthority: String?
    /// Token-2022 only: the metadata's additional key/value fields, in order (empty: none).
    public var additionalMetadata: [TokenMetadataField]

    public init(
        idempotencyKey: String, tokenProgram: String, decimals: Int, name: String, symbol: String, uri: String,
        amount: String, recipient: String, memo: String? = nil, priority: Int = 0, scheduledAt: Date? = nil, maxAttempts: Int = 25,
        mintAuthority: String = "keep", freezeAuthority: String = "none", metadataUpdateAuthority: String? = nil,
        additionalMetadata: [TokenMetadataField] = []
    ) {
        self.idempotencyKey = idempotencyKey
        self.tokenProgram = tokenProgram
        self.decimals = decimals
        self.name = name
        self.symbol = symbol
        self.uri = uri
        self.amount = amount
        self.recipient = recipient
        self.memo = memo
        self.priority = priority
        self.scheduledAt = scheduledAt
        self.maxAttempts = maxAttempts
        self.mintAuthority = mintAuthority
        self.freezeAuthority = freezeAuthority
        self.metadataUpdateAuthority = metadataUpdateAuthority
        self.additionalMetadata = additionalMetadata
    }

    /// The metadata update authority as the queue stores it: `ours` when a Token-2022 job leaves it out.
    public var storedMetadataUpdateAuthority: String? { metadataUpdateAuthority ?? (tokenProgram == "token-2022" ? "ours" : nil) }

    /// Equal when every field is, text byte for byte (UTF-8) as PostgreSQL compares it: Swift's `==` on `String` calls
    /// canonically equivalent text equal (`café` with é composed or decomposed), yet those are two idempotency keys,
    /// two jobs and two mints (a job's mint derives from its key's bytes).
    public static func == (lhs: TokenJobRequest, rhs: TokenJobRequest) -> Bool {
        lhs.decimals == rhs.decimals && lhs.priority == rhs.priority && lhs.scheduledAt == rhs.scheduledAt
            && lhs.maxAttempts == rhs.maxAttempts && (lhs.memo == nil) == (rhs.memo == nil)
            && (lhs.storedMetadataUpdateAuthority == nil) == (rhs.storedMetadataUpdateAuthority == nil)
            && lhs.texts.count == rhs.texts.count && zip(lhs.texts, rhs.texts).allSatisfy { $0.utf8.elementsEqual($1.utf8) }
    }

    public func hash(into hasher: inout Hasher) {
        for text in texts {
            hasher.combine(text.utf8.count)
            for byte in text.utf8 { hasher.combine(byte) }
        }
        hasher.combine(memo == nil)
        hasher.combine(storedMetadataUpdateAuthority == nil)
        hasher.combine(decimals)
        hasher.combine(priority)
        hasher.combine(scheduledAt)
        hasher.combine(maxAttempts)
    }

    /// The text fields (a missing memo as an empty one), then the additional metadata's keys and values.
    private var texts: [String] {
        [
            idempotencyKey, tokenProgram, name, symbol, uri, amount, recipient, memo ?? "", mintAuthority, freezeAuthority,
            storedMetadataUpdateAuthority ?? "",
        ]
            + additionalMetadata.flatMap { [$0.key, $0.value] }
    }
}

/// One failed attempt of a job, kept in the job's history.
public struct TokenJobAttemptError: Sendable, Hashable, Codable {
    /// How the error was classified: `transient`, `permanent`, `insufficient_funds`, `lease_expired`, ...
    public var errorClass: String
    /// What happened, for an operator (never secrets).
    public var message: String
    /// The attempt number it happened in.
    public var attempt: Int
    public var at: Date

    public init(errorClass: String, message: String, attempt: Int, at: Date) {
        self.errorClass = errorClass
        self.message = message
        self.attempt = attempt
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case errorClass = "class"
        case message, attempt, at
    }
}

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

/// The outcome of an enqueue: the job's id and state, and whether this call created it.
public struct TokenJobEnqueueResult: Sendable, Hashable {
    public var jobID: Int64
    /// False when a job with the same idempotency key (and the same parameters) already existed.
    public var inserted: Bool
    public var state: TokenJobState
}

/// The queue's record over a recent window (`TokenJobQueue.statistics`): confirmation latency and outcomes.
public struct TokenJobStatistics: Sendable, Hashable {
    public var window: Duration
    /// Seconds from enqueue to confirmation, median and 95th percentile, of the jobs confirmed in the window; nil
    /// when none was.
    public var confirmationMedianSeconds: Double?
    public var confirmationP95Seconds: Double?
    /// Jobs confirmed in the window, and jobs that failed for good in it.
    public var confirmed: Int
    public var failed: Int

    /// Confirmed out of confirmed and failed; nil when neither happened.
    public var successRate: Double? {
        confirmed + failed == 0 ? nil : Double(confirmed) / Double(confirmed + failed)
    }
}
