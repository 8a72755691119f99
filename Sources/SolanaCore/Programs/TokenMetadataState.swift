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
