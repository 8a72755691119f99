import Crypto

/// Builders for the SPL Token Metadata interface as Token-2022 implements it: name, symbol and URI stored in the
/// mint account itself. Flutterbye applies Metaplex's limits (name ≤ 32, symbol ≤ 10, URI ≤ 200 bytes) so a
/// token looks the same whichever program carries it.
public enum TokenMetadata {
    /// The longest name accepted, in UTF-8 bytes (Metaplex's limit; a Flutterbye product rule for Token-2022).
    public static let maxNameLength = 32
    /// The longest symbol accepted, in UTF-8 bytes.
    public static let maxSymbolLength = 10
    /// The longest URI accepted, in UTF-8 bytes.
    public static let maxURILength = 200

    /// The Initialize instruction's 8-byte discriminator: the first bytes of
    /// SHA-256("spl_token_metadata_interface:initialize_account") = d2 e1 1e a2 58 b8 4d 8d.
    public static let initializeDiscriminator = discriminator("spl_token_metadata_interface:initialize_account")
    /// The UpdateField instruction's 8-byte discriminator: the first bytes of
    /// SHA-256("spl_token_metadata_interface:updating_field") = dd e9 31 2d b5 ca dc c8.
    public static let updateFieldDiscriminator = discriminator("spl_token_metadata_interface:updating_field")
    /// The UpdateAuthority instruction's 8-byte discriminator: the first bytes of
    /// SHA-256("spl_token_metadata_interface:update_the_authority") = d7 e4 a6 e4 54 64 56 7b.
    public static let updateAuthorityDiscriminator = discriminator("spl_token_metadata_interface:update_the_authority")

    static func discriminator(_ name: String) -> [UInt8] { Array(SHA256.hash(data: Array(name.utf8)).prefix(8)) }

    /// A metadata field: one of the three standard ones or a custom key.
    public enum Field: Sendable, Hashable {
        /// The token's name (borsh variant 0).
        case name
        /// The token's symbol (variant 1).
        case symbol
        /// The URI of the off-chain JSON (variant 2).
        case uri
        /// A custom additional-metadata key (variant 3, then the key as a borsh string).
        case key(String)
    }

    /// Writes name, symbol and URI into `metadata` (the mint, for Token-2022). The mint authority signs; the
    /// account must already hold enough lamports for its grown size (see `tlvSize`). Throws `invalidArgument`
    /// when a value is over `maxNameLength`, `maxSymbolLength` or `maxURILength` (our product rule: the interface
    /// itself has no limits).
    public static func initialize(
        metadata: PublicKey, updateAuthority: PublicKey, mint: PublicKey, mintAuthority: PublicKey,
        name: String, symbol: String, uri: String, programID: PublicKey = TokenProgram.token2022.programID
    ) throws(SolanaCoreError) -> Instruction {
        try checkLengths(name: name, symbol: symbol, uri: uri)
        var data = WireWriter(capacity: 8 + 12 + name.utf8.count + symbol.utf8.count + uri.utf8.count)
        data.write(initializeDiscriminator)
        data.writeBorshString(name)
        data.writeBorshString(symbol)
        data.writeBorshString(uri)
        return Instruction(
            programID: programID,
            accounts: [.writable(metadata), .readonly(updateAuthority), .readonly(mint), .readonly(mintAuthority, signer: true)],
            data: data.bytes)
    }

    /// Sets one field; the update authority signs. Name, symbol and URI obey the same limits as `initialize`
    /// (throwing `invalidArgument`); custom keys and their values are not limited.
    public static func updateField(
        metadata: PublicKey, updateAuthority: PublicKey, field: Field, value: String,
        programID: PublicKey = TokenProgram.token2022.programID
    ) throws(SolanaCoreError) -> Instruction {
        switch field {
        case .name: try checkLengths(name: value, symbol: "", uri: "")
        case .symbol: try checkLengths(name: "", symbol: value, uri: "")
        case .uri: try checkLengths(name: "", symbol: "", uri: value)
        case .key: break
        }
        var data = WireWriter(capacity: 32 + value.utf8.count)
        data.write(updateFieldDiscriminator)
        switch field {
        case .name: data.write(0)
        case .symbol: data.write(1)
        case .uri: data.write(2)
        case .key(let key):
            data.write(3)
            data.writeBorshString(key)
        }
        data.writeBorshString(value)
        return Instruction(programID: programID, accounts: [.writable(metadata), .readonly(updateAuthority, signer: true)], data: data.bytes)
    }

    /// Hands the metadata's update authority to `newAuthority` (nil: nobody, stored as all zeros; the metadata can no
    /// longer change). The current update authority signs. Data: the discriminator and the new key (32 bytes).
    public static func updateAuthority(
        metadata: PublicKey, currentAuthority: PublicKey, newAuthority: PublicKey?, programID: PublicKey = TokenProgram.token2022.programID
    ) -> Instruction {
        var data = WireWriter(capacity: 40)
        data.write(updateAuthorityDiscriminator)
        data.write(newAuthority ?? .zero)
        return Instruction(programID: programID, accounts: [.writable(metadata), .readonly(currentAuthority, signer: true)], data: data.bytes)
    }

    /// The bytes the metadata adds to the mint account: the 4-byte TLV header plus borsh `TokenMetadata`
    /// (update authority 32, mint 32, name, symbol, uri, then the additional-metadata vector: u32 count and each
    /// key and value as a borsh string). Fund the mint with rent for its current size plus this before
    /// `initialize` (and again before an `updateField` that grows it). Throws `invalidArgument` for a name, symbol
    /// or URI over the limits. The two keys are fixed-size; they are taken so call sites read like `initialize`.
    public static func tlvSize(
        updateAuthority: PublicKey?, mint: PublicKey, name: String, symbol: String, uri: String,
        additionalMetadata: [TokenMetadataField] = []
    ) throws(SolanaCoreError) -> Int {
        try checkLengths(name: name, symbol: symbol, uri: uri)
        let additional = additionalMetadata.reduce(0) { $0 + 4 + $1.key.utf8.count + 4 + $1.value.utf8.count }
        return 4 + 32 + 32 + (4 + name.utf8.count) + (4 + symbol.utf8.count) + (4 + uri.utf8.count) + 4 + additional
    }

    /// Checks name, symbol and URI against `maxNameLength`, `maxSymbolLength` and `maxURILength`; throws
    /// `invalidArgument` naming the first field over its limit.
    public static func checkLengths(name: String, symbol: String, uri: String) throws(SolanaCoreError) {
        for (field, value, limit) in [("name", name, maxNameLength), ("symbol", symbol, maxSymbolLength), ("uri", uri, maxURILength)]
        where value.utf8.count > limit {
            throw SolanaCoreError(.invalidArgument, "the token \(field) is \(value.utf8.count) bytes; at most \(limit) bytes (UTF-8) are allowed")
        }
    }
}
