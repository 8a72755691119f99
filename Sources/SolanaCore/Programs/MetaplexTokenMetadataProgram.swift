/// Builder for Metaplex Token Metadata's `CreateMetadataAccountV3`, the metadata account classic SPL tokens use.
/// Bytes only: the Metaplex program is not part of the local test chain.
public enum MetaplexTokenMetadataProgram {
    /// The Metaplex Token Metadata program's id.
    public static let programID: PublicKey = "metaqbxxUerdq28cj1RbAWkYQm3ybzjb6a8bt518x1s"

    /// The metadata account of `mint`: the program address of ("metadata", program id, mint).
    public static func metadataAddress(mint: PublicKey) throws(SolanaCoreError) -> PublicKey {
        try PublicKey.findProgramAddress(seeds: [Array("metadata".utf8), programID.bytes, mint.bytes], programID: programID).address
    }

    /// Creates the metadata account with name, symbol, URI and royalty (`sellerFeeBasisPoints`); no creators,
    /// collection, uses or collection details. Throws `invalidArgument` for a name over 32, a symbol over 10 or a
    /// URI over 200 UTF-8 bytes (Metaplex's own limits).
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
            programID: programID,
            accounts: [
                .writable(metadata), .readonly(mint), .readonly(mintAuthority, signer: true), .writable(payer, signer: true),
                AccountMeta(updateAuthority, isSigner: updateAuthorityIsSigner, isWritable: false), .readonly(SystemProgram.programID),
            ],
            data: data.bytes)
    }
}
