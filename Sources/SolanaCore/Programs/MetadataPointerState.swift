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
