public import Foundation
public import SolanaCore

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
