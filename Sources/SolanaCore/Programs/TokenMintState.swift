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
