/// Builder for Token-2022's MetadataPointer extension: records on the mint where its metadata lives (usually
/// the mint itself). Must run before `initializeMint2`.
public enum MetadataPointer {
    /// Token-2022's MetadataPointerExtension instruction tag; the next byte is the sub-instruction (0 = Initialize).
    static let extensionTag: UInt8 = 39

    /// Initializes the pointer on a mint not yet initialized (data: 39, 0, authority 32, address 32); `nil`
    /// authority or address are stored as all-zero keys (none). Only `mint` (writable) is passed; nobody signs.
    public static func initialize(
        mint: PublicKey, authority: PublicKey?, metadataAddress: PublicKey?, programID: PublicKey = TokenProgram.token2022.programID
    ) -> Instruction {
        var data = WireWriter(capacity: 66)
        data.write(extensionTag)
        data.write(0)  // Initialize
        data.write(authority ?? .zero)
        data.write(metadataAddress ?? .zero)
        return Instruction(programID: programID, accounts: [.writable(mint)], data: data.bytes)
    }
}
