/// A legacy (unversioned) Solana message: the header, every account key, the recent blockhash and the
/// compiled instructions. These are the bytes the signers sign.
public struct LegacyMessage: Sendable, Hashable {
    public var header: MessageHeader
    /// Every account the message uses, signers first (see `MessageHeader`).
    public var accountKeys: [PublicKey]
    public var recentBlockhash: Blockhash
    public var instructions: [CompiledInstruction]

    public init(header: MessageHeader, accountKeys: [PublicKey], recentBlockhash: Blockhash, instructions: [CompiledInstruction]) {
        self.header = header
        self.accountKeys = accountKeys
        self.recentBlockhash = recentBlockhash
        self.instructions = instructions
    }

    /// Compiles instructions with Solana's account ordering: fee payer first, then writable signers, read-only
    /// signers, writable non-signers, read-only non-signers; a key used twice appears once with the strongest flags.
    public init(payer: PublicKey, instructions: [Instruction], recentBlockhash: Blockhash) throws(SolanaCoreError) {
        let keys = CompiledKeys(payer: payer, instructions: instructions)
        let (header, accountKeys) = try keys.messageComponents()
        self.init(
            header: header, accountKeys: accountKeys, recentBlockhash: recentBlockhash,
            instructions: try CompiledKeys.compile(instructions, accountKeys: accountKeys))
    }

    func serialize(into writer: inout WireWriter) {
        writer.writeMessageBody(header: header, accountKeys: accountKeys, recentBlockhash: recentBlockhash, instructions: instructions)
    }

    /// The wire bytes (what is signed).
    public func serialized() -> [UInt8] {
        var writer = WireWriter(capacity: 512)
        serialize(into: &writer)
        return writer.bytes
    }

    static func deserializeBody(from reader: inout WireReader, firstByte: UInt8) throws(SolanaCoreError) -> LegacyMessage {
        let (header, keys, blockhash, instructions) = try reader.readMessageBody(firstByte: firstByte)
        let message = LegacyMessage(header: header, accountKeys: keys, recentBlockhash: blockhash, instructions: instructions)
        try MessageValidation.check(header: header, staticKeyCount: keys.count, loadedKeyCount: 0, instructions: instructions)
        return message
    }
}
