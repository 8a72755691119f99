import Crypto

/// Builder for Token-2022's MetadataPointer extension: records on the mint where its metadata lives (usually
/// the mint itself). Must run before `initializeMint2`.
public enum MetadataPointer {
    static let extensionTag: UInt8 = 39

    /// Initializes the pointer; `nil` authority or address are stored as all-zero keys (none).
    public static func initialize(mint: PublicKey, authority: PublicKey?, metadataAddress: PublicKey?, programId: PublicKey = TokenProgram.token2022.programId) -> Instruction {
        var data = WireWriter(capacity: 66)
        data.write(extensionTag)
        data.write(0)  // Initialize
        data.write(authority ?? .zero)
        data.write(metadataAddress ?? .zero)
        return Instruction(programId: programId, accounts: [.writable(mint)], data: data.bytes)
    }
}

/// Builders for the SPL Token Metadata interface as Token-2022 implements it: name, symbol and URI stored in the
/// mint account itself. Flutterbye applies Metaplex's limits (name ≤ 32, symbol ≤ 10, URI ≤ 200 bytes) so a
/// token looks the same whichever program carries it.
public enum TokenMetadata {
    /// The longest name, symbol and URI accepted, in UTF-8 bytes.
    public static let maxNameLength = 32, maxSymbolLength = 10, maxURILength = 200

    /// The interface's 8-byte discriminators: the first bytes of SHA-256 of the namespaced instruction name.
    static let initializeDiscriminator = discriminator("spl_token_metadata_interface:initialize_account")
    static let updateFieldDiscriminator = discriminator("spl_token_metadata_interface:updating_field")

    static func discriminator(_ name: String) -> [UInt8] { Array(SHA256.hash(data: Array(name.utf8)).prefix(8)) }

    /// A metadata field: one of the three standard ones or a custom key.
    public enum Field: Sendable, Hashable {
        case name, symbol, uri
        case key(String)
    }

    /// Writes name, symbol and URI into `metadata` (the mint, for Token-2022). The mint authority signs; the
    /// account must already hold enough lamports for its grown size (see `tlvSize`).
    public static func initialize(
        metadata: PublicKey, updateAuthority: PublicKey, mint: PublicKey, mintAuthority: PublicKey,
        name: String, symbol: String, uri: String, programId: PublicKey = TokenProgram.token2022.programId
    ) throws(SolanaCoreError) -> Instruction {
        try checkLengths(name: name, symbol: symbol, uri: uri)
        var data = WireWriter(capacity: 8 + 12 + name.utf8.count + symbol.utf8.count + uri.utf8.count)
        data.write(initializeDiscriminator)
        data.writeBorshString(name)
        data.writeBorshString(symbol)
        data.writeBorshString(uri)
        return Instruction(
            programId: programId,
            accounts: [.writable(metadata), .readonly(updateAuthority), .readonly(mint), .readonly(mintAuthority, signer: true)],
            data: data.bytes)
    }

    /// Sets one field; the update authority signs. Standard fields obey the same length limits as `initialize`.
    public static func updateField(
        metadata: PublicKey, updateAuthority: PublicKey, field: Field, value: String,
        programId: PublicKey = TokenProgram.token2022.programId
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
        return Instruction(programId: programId, accounts: [.writable(metadata), .readonly(updateAuthority, signer: true)], data: data.bytes)
    }

    /// The bytes the metadata adds to the mint account (TLV header + borsh `TokenMetadata` with no additional
    /// fields): fund the mint with rent for its base size plus this before `initialize`.
    public static func tlvSize(updateAuthority: PublicKey?, mint: PublicKey, name: String, symbol: String, uri: String) throws(SolanaCoreError) -> Int {
        try checkLengths(name: name, symbol: symbol, uri: uri)
        return 4 + 32 + 32 + (4 + name.utf8.count) + (4 + symbol.utf8.count) + (4 + uri.utf8.count) + 4
    }

    static func checkLengths(name: String, symbol: String, uri: String) throws(SolanaCoreError) {
        for (field, value, limit) in [("name", name, maxNameLength), ("symbol", symbol, maxSymbolLength), ("uri", uri, maxURILength)]
        where value.utf8.count > limit {
            throw SolanaCoreError(.invalidArgument, "the token \(field) is \(value.utf8.count) bytes; at most \(limit) bytes (UTF-8) are allowed")
        }
    }
}

/// Builder for Metaplex Token Metadata's `CreateMetadataAccountV3`, the metadata account classic SPL tokens use.
/// Bytes only: the Metaplex program is not part of the local test chain.
public enum MetaplexTokenMetadataProgram {
    /// The Metaplex Token Metadata program's id.
    public static let programId: PublicKey = "metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s"

    /// The metadata account of `mint`: the program address of ("metadata", program id, mint).
    public static func metadataAddress(mint: PublicKey) throws(SolanaCoreError) -> PublicKey {
        try PublicKey.findProgramAddress(seeds: [Array("metadata".utf8), programId.bytes, mint.bytes], programId: programId).address
    }

    /// Creates the metadata account with name, symbol, URI and royalty; no creators, collection or uses.
    public static func createMetadataAccountV3(
        metadata: PublicKey, mint: PublicKey, mintAuthority: PublicKey, payer: PublicKey, updateAuthority: PublicKey,
        name: String, symbol: String, uri: String, sellerFeeBasisPoints: UInt16, isMutable: Bool, updateAuthorityIsSigner: Bool
    ) throws(SolanaCoreError) -> Instruction {
        try TokenMetadata.checkLengths(name: name, symbol: symbol, uri: uri)
        var data = WireWriter(capacity: 32 + name.utf8.count + symbol.utf8.count + uri.utf8.count)
        data.write(33)
        data.writeBorshString(name)
        data.writeBorshString(symbol)
        data.writeBorshString(uri)
        data.writeLittleEndian(sellerFeeBasisPoints)
        data.write(0)  // creators: None
        data.write(0)  // collection: None
        data.write(0)  // uses: None
        data.write(isMutable ? 1 : 0)
        data.write(0)  // collection_details: None
        return Instruction(
            programId: programId,
            accounts: [
                .writable(metadata), .readonly(mint), .readonly(mintAuthority, signer: true), .writable(payer, signer: true),
                AccountMeta(updateAuthority, isSigner: updateAuthorityIsSigner, isWritable: false), .readonly(SystemProgram.programId),
            ],
            data: data.bytes)
    }
}
