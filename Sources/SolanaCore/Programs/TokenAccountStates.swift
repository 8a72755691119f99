/// A mint account's base state (the first 82 bytes, the same for Token and Token-2022): supply, decimals and
/// authorities.
public struct TokenMintState: Sendable, Hashable {
    /// Who may mint; nil once minting is disabled for good.
    public var mintAuthority: PublicKey?
    /// Total supply in base units.
    public var supply: UInt64
    /// How many decimal places a UI amount has (base units per token = 10^decimals).
    public var decimals: UInt8
    /// Whether InitializeMint has run.
    public var isInitialized: Bool
    /// Who may freeze and thaw token accounts of this mint; nil when nobody can.
    public var freezeAuthority: PublicKey?

    /// The size of a mint without extensions.
    public static let length = 82

    /// Parses raw mint account data (only the first 82 bytes: Token-2022 extensions after them are not read);
    /// throws `invalidArgument` when it is too short or an option tag is neither 0 nor 1.
    public init(data: [UInt8]) throws(SolanaCoreError) {
        guard data.count >= Self.length else {
            throw SolanaCoreError(.invalidArgument, "a mint account holds at least \(Self.length) bytes, this one \(data.count)")
        }
        var reader = WireReader(data, errorCode: .invalidArgument, what: "mint account")
        mintAuthority = try reader.readCOptionKey()
        supply = try reader.readLittleEndian(UInt64.self)
        decimals = try reader.readByte()
        isInitialized = try reader.readByte() != 0
        freezeAuthority = try reader.readCOptionKey()
    }
}

/// A token account's base state (the first 165 bytes, the same for Token and Token-2022): which mint, which
/// owner, how many base units.
public struct TokenAccountState: Sendable, Hashable {
    /// Whether the account can be used, or is frozen by the mint's freeze authority.
    public enum State: UInt8, Sendable {
        /// Not yet initialized.
        case uninitialized = 0
        /// Usable.
        case initialized = 1
        /// Frozen by the mint's freeze authority.
        case frozen = 2
    }

    /// The mint whose tokens the account holds (bytes 0..<32).
    public var mint: PublicKey
    /// The account's owner (bytes 32..<64).
    public var owner: PublicKey
    /// The balance in base units (bytes 64..<72).
    public var amount: UInt64
    /// The delegate approved to move up to `delegatedAmount`, if any.
    public var delegate: PublicKey?
    /// Whether the account is initialized or frozen.
    public var state: State
    /// For wrapped SOL: the rent-exempt reserve; nil for other mints.
    public var isNative: UInt64?
    /// How much the delegate may still move.
    public var delegatedAmount: UInt64
    /// Who may close the account besides the owner, if anyone.
    public var closeAuthority: PublicKey?

    /// The size of a token account without extensions.
    public static let length = 165

    /// Parses raw token account data (the first 165 bytes; Token-2022 extensions after them are not read);
    /// throws `invalidArgument` when it is too short, the state byte is not 0-2 or an option tag is not 0 or 1.
    public init(data: [UInt8]) throws(SolanaCoreError) {
        guard data.count >= Self.length else {
            throw SolanaCoreError(.invalidArgument, "a token account holds at least \(Self.length) bytes, this one \(data.count)")
        }
        var reader = WireReader(data, errorCode: .invalidArgument, what: "token account")
        mint = try reader.readPublicKey()
        owner = try reader.readPublicKey()
        amount = try reader.readLittleEndian(UInt64.self)
        delegate = try reader.readCOptionKey()
        let rawState = try reader.readByte()
        guard let state = State(rawValue: rawState) else {
            throw SolanaCoreError(.invalidArgument, "token account state \(rawState) is not 0, 1 or 2")
        }
        self.state = state
        let nativeTag = try reader.readLittleEndian(UInt32.self)
        let nativeValue = try reader.readLittleEndian(UInt64.self)
        isNative = nativeTag == 1 ? nativeValue : nil
        delegatedAmount = try reader.readLittleEndian(UInt64.self)
        closeAuthority = try reader.readCOptionKey()
    }
}

/// The Token-2022 extension area of a mint: the account-type byte at offset 165 (1 = mint), then TLV entries
/// from 166 (u16 type, u16 length, value), ended by the data or by a type-0 (uninitialized) entry.
enum Token2022MintExtensions {
    static let accountTypeOffset = 165
    static let mintAccountType: UInt8 = 1
    /// Extension types (spl-token-2022 `ExtensionType`).
    static let metadataPointerType: UInt16 = 18
    static let tokenMetadataType: UInt16 = 19

    /// The value of the first extension of `type` in `data`; nil when the data has no extension area or no such
    /// extension. Throws `invalidArgument` when the account type is not a mint or an entry runs past the end.
    static func value(ofType type: UInt16, in data: [UInt8]) throws(SolanaCoreError) -> [UInt8]? {
        guard data.count > accountTypeOffset else { return nil }
        guard data[accountTypeOffset] == mintAccountType else {
            throw SolanaCoreError(.invalidArgument, "account type \(data[accountTypeOffset]) at byte 165 is not a mint (1)")
        }
        var reader = WireReader(data, errorCode: .invalidArgument, what: "Token-2022 extensions")
        _ = try reader.readBytes(accountTypeOffset + 1)
        while reader.remaining >= 4 {
            let entryType = try reader.readLittleEndian(UInt16.self)
            let length = Int(try reader.readLittleEndian(UInt16.self))
            if entryType == 0 { return nil }  // uninitialized space: no more extensions
            let value = try reader.readBytes(length)
            if entryType == type { return value }
        }
        return nil
    }
}

/// Token-2022 on-chain metadata (the TokenMetadata extension, type 19, stored in the mint): name, symbol, URI and
/// any additional key/value fields.
public struct TokenMetadataState: Sendable, Hashable {
    /// Who may update the metadata; nil (stored as all zeros) when it is immutable.
    public var updateAuthority: PublicKey?
    /// The mint the metadata describes.
    public var mint: PublicKey
    /// The token's name.
    public var name: String
    /// The token's symbol.
    public var symbol: String
    /// The URI of the off-chain JSON.
    public var uri: String
    /// Custom fields in stored order.
    public var additionalMetadata: [TokenMetadataField]

    /// Metadata with the given fields (for comparisons and tests).
    public init(
        updateAuthority: PublicKey?, mint: PublicKey, name: String, symbol: String, uri: String,
        additionalMetadata: [TokenMetadataField] = []
    ) {
        self.updateAuthority = updateAuthority
        self.mint = mint
        self.name = name
        self.symbol = symbol
        self.uri = uri
        self.additionalMetadata = additionalMetadata
    }

    /// Reads the TokenMetadata extension from a Token-2022 mint's data; nil when the mint has no such extension
    /// (including a plain 82-byte mint). Throws `invalidArgument` when the extension area or the metadata is
    /// malformed (truncated, bad UTF-8, not a mint).
    public init?(mintData data: [UInt8]) throws(SolanaCoreError) {
        guard let value = try Token2022MintExtensions.value(ofType: Token2022MintExtensions.tokenMetadataType, in: data) else { return nil }
        var fields = WireReader(value, errorCode: .invalidArgument, what: "token metadata")
        updateAuthority = try fields.readPublicKey().nonZero
        mint = try fields.readPublicKey()
        name = try fields.readBorshString()
        symbol = try fields.readBorshString()
        uri = try fields.readBorshString()
        let count = Int(try fields.readLittleEndian(UInt32.self))
        // Each pair takes at least 8 bytes, so a larger count is corrupt (and must not drive a huge loop).
        guard count <= fields.remaining / 8 else {
            throw SolanaCoreError(.invalidArgument, "token metadata claims \(count) additional fields in \(fields.remaining) bytes")
        }
        var pairs: [TokenMetadataField] = []
        for _ in 0..<count { pairs.append(TokenMetadataField(try fields.readBorshString(), try fields.readBorshString())) }
        additionalMetadata = pairs
    }
}

/// One custom key/value field of Token-2022 on-chain metadata.
public struct TokenMetadataField: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// Token-2022's MetadataPointer extension (type 18) as stored in a mint: who may change the pointer and where
/// the metadata lives.
public struct MetadataPointerState: Sendable, Hashable {
    /// Who may change the pointer; nil (all zeros) when nobody can.
    public var authority: PublicKey?
    /// The account holding the metadata (often the mint itself); nil (all zeros) when unset.
    public var metadataAddress: PublicKey?

    /// A pointer with the given fields.
    public init(authority: PublicKey?, metadataAddress: PublicKey?) {
        self.authority = authority
        self.metadataAddress = metadataAddress
    }

    /// Reads the MetadataPointer extension from a Token-2022 mint's data; nil when the mint has none. Throws
    /// `invalidArgument` when the extension area is malformed.
    public init?(mintData data: [UInt8]) throws(SolanaCoreError) {
        guard let value = try Token2022MintExtensions.value(ofType: Token2022MintExtensions.metadataPointerType, in: data) else { return nil }
        var reader = WireReader(value, errorCode: .invalidArgument, what: "metadata pointer")
        self.authority = try reader.readPublicKey().nonZero
        self.metadataAddress = try reader.readPublicKey().nonZero
    }
}

extension WireReader {
    /// A `COption<Pubkey>` as spl-token stores it in account state: a u32 tag, then 32 bytes (present or not).
    mutating func readCOptionKey() throws(SolanaCoreError) -> PublicKey? {
        let tag = try readLittleEndian(UInt32.self)
        let key = try readPublicKey()
        switch tag {
        case 0: return nil
        case 1: return key
        default: throw SolanaCoreError(.invalidArgument, "option tag \(tag) is neither 0 nor 1")
        }
    }
}
