/// The part of the wire format both message kinds share, after the version prefix: the header, the account keys
/// written in the message, the recent blockhash and the compiled instructions (a v0 message then adds its lookups).
extension WireWriter {
    mutating func writeMessageBody(
        header: MessageHeader, accountKeys: [PublicKey], recentBlockhash: Blockhash, instructions: [CompiledInstruction]
    ) {
        write(header.numRequiredSignatures)
        write(header.numReadonlySignedAccounts)
        write(header.numReadonlyUnsignedAccounts)
        writeCompactU16(accountKeys.count)
        for key in accountKeys { write(key) }
        write(recentBlockhash.value)
        writeCompactU16(instructions.count)
        for instruction in instructions { instruction.serialize(into: &self) }
    }
}

extension WireReader {
    /// Reads what `writeMessageBody` wrote after the header's first byte, which the caller has read (it tells a
    /// legacy message from a versioned one).
    mutating func readMessageBody(
        firstByte: UInt8
    ) throws(SolanaCoreError) -> (
        header: MessageHeader, accountKeys: [PublicKey], recentBlockhash: Blockhash, instructions: [CompiledInstruction]
    ) {
        let header = MessageHeader(
            numRequiredSignatures: firstByte, numReadonlySignedAccounts: try readByte(), numReadonlyUnsignedAccounts: try readByte())
        let keyCount = try readCompactU16()
        var keys: [PublicKey] = []
        keys.reserveCapacity(keyCount)
        for _ in 0..<keyCount { keys.append(try readPublicKey()) }
        let blockhash = Blockhash(try readPublicKey())
        let instructionCount = try readCompactU16()
        var instructions: [CompiledInstruction] = []
        for _ in 0..<instructionCount { instructions.append(try CompiledInstruction.deserialize(from: &self)) }
        return (header, keys, blockhash, instructions)
    }
}
