/// A mint account's base state (the first 82 bytes, the same for Token and Token-2022): supply, decimals and
/// authorities.
public struct TokenMintState: Sendable, Hashable {
    public var mintAuthority: PublicKey?
    /// Total supply in base units.
    public var supply: UInt64
    public var decimals: UInt8
    public var isInitialized: Bool
    public var freezeAuthority: PublicKey?

    /// The size of a mint without extensions.
    public static let length = 82

    /// Parses raw mint account data; throws `invalidArgument` when it is too short or malformed.
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
    public enum State: UInt8, Sendable { case uninitialized = 0, initialized = 1, frozen = 2 }

    public var mint: PublicKey
    public var owner: PublicKey
    /// The balance in base units.
    public var amount: UInt64
    public var delegate: PublicKey?
    public var state: State
    /// For wrapped SOL: the rent-exempt reserve.
    public var isNative: UInt64?
    public var delegatedAmount: UInt64
    public var closeAuthority: PublicKey?

    /// The size of a token account without extensions.
    public static let length = 165

    /// Parses raw token account data; throws `invalidArgument` when it is too short or malformed.
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

/// Token-2022 on-chain metadata (the TokenMetadata extension stored in the mint): name, symbol, URI and any
/// additional key/value fields.
public struct TokenMetadataState: Sendable, Hashable {
    public var updateAuthority: PublicKey?
    public var mint: PublicKey
    public var name: String
    public var symbol: String
    public var uri: String
    public var additionalMetadata: [(key: String, value: String)] {
        get { additional.map { ($0.key, $0.value) } }
        set { additional = newValue.map { KeyValue(key: $0.key, value: $0.value) } }
    }

    struct KeyValue: Sendable, Hashable { var key: String; var value: String }
    private var additional: [KeyValue]

    static let accountTypeOffset = 165
    static let metadataExtensionType: UInt16 = 19

    /// Reads the TokenMetadata extension from a Token-2022 mint's data; nil when the mint has no such extension.
    /// Throws `invalidArgument` when the extension area is malformed.
    public init?(mintData data: [UInt8]) throws(SolanaCoreError) {
        guard data.count > Self.accountTypeOffset else { return nil }
        guard data[Self.accountTypeOffset] == 1 else {
            throw SolanaCoreError(.invalidArgument, "account type \(data[Self.accountTypeOffset]) at byte 165 is not a mint (1)")
        }
        var reader = WireReader(data, errorCode: .invalidArgument, what: "Token-2022 extensions")
        _ = try reader.readBytes(Self.accountTypeOffset + 1)
        while reader.remaining >= 4 {
            let type = try reader.readLittleEndian(UInt16.self)
            let length = Int(try reader.readLittleEndian(UInt16.self))
            if type == 0 { return nil }  // uninitialized space: no more extensions
            let value = try reader.readBytes(length)
            guard type == Self.metadataExtensionType else { continue }
            var fields = WireReader(value, errorCode: .invalidArgument, what: "token metadata")
            let authority = try fields.readPublicKey()
            updateAuthority = authority == .zero ? nil : authority
            mint = try fields.readPublicKey()
            name = try fields.readBorshString()
            symbol = try fields.readBorshString()
            uri = try fields.readBorshString()
            let count = Int(try fields.readLittleEndian(UInt32.self))
            guard count <= value.count else { throw SolanaCoreError(.invalidArgument, "token metadata claims \(count) additional fields") }
            var pairs: [KeyValue] = []
            for _ in 0..<count { pairs.append(KeyValue(key: try fields.readBorshString(), value: try fields.readBorshString())) }
            additional = pairs
            return
        }
        return nil
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.updateAuthority == rhs.updateAuthority && lhs.mint == rhs.mint && lhs.name == rhs.name && lhs.symbol == rhs.symbol
            && lhs.uri == rhs.uri && lhs.additional == rhs.additional
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(mint)
        hasher.combine(name)
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
