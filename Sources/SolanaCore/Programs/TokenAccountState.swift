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
