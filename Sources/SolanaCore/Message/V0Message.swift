/// A version-0 message: like a legacy message, but accounts may also be loaded from address lookup tables, so a
/// transaction can use up to 256 accounts within the packet limit.
public struct V0Message: Sendable, Hashable {
    public var header: MessageHeader
    /// The accounts named in the message itself (all signers and invoked programs are here).
    public var staticAccountKeys: [PublicKey]
    public var recentBlockhash: Blockhash
    /// Instructions indexing static keys, then every table's writable entries, then every table's read-only ones.
    public var instructions: [CompiledInstruction]
    public var addressTableLookups: [MessageAddressTableLookup]

    public init(
        header: MessageHeader, staticAccountKeys: [PublicKey], recentBlockhash: Blockhash,
        instructions: [CompiledInstruction], addressTableLookups: [MessageAddressTableLookup]
    ) {
        self.header = header
        self.staticAccountKeys = staticAccountKeys
        self.recentBlockhash = recentBlockhash
        self.instructions = instructions
        self.addressTableLookups = addressTableLookups
    }

    /// Compiles instructions as solana-sdk's `MessageV0::try_compile` does: keys that are neither signers nor
    /// invoked programs are loaded from the given lookup tables where present (tables in order, first entry wins).
    public init(
        payer: PublicKey, instructions: [Instruction], addressLookupTables: [AddressLookupTableAccount],
        recentBlockhash: Blockhash
    ) throws(SolanaCoreError) {
        var keys = CompiledKeys(payer: payer, instructions: instructions)
        var lookups: [MessageAddressTableLookup] = []
        var loadedWritable: [PublicKey] = []
        var loadedReadonly: [PublicKey] = []
        for table in addressLookupTables {
            if let (lookup, writable, readonly) = try keys.extractLookup(table) {
                lookups.append(lookup)
                loadedWritable += writable
                loadedReadonly += readonly
            }
        }
        let (header, staticKeys) = try keys.messageComponents()
        self.init(
            header: header, staticAccountKeys: staticKeys, recentBlockhash: recentBlockhash,
            instructions: try CompiledKeys.compile(instructions, accountKeys: staticKeys + loadedWritable + loadedReadonly),
            addressTableLookups: lookups)
    }

    func serialize(into writer: inout WireWriter) {
        writer.write(0x80)  // version prefix: high bit set, version 0
        writer.writeMessageBody(header: header, accountKeys: staticAccountKeys, recentBlockhash: recentBlockhash, instructions: instructions)
        writer.writeCompactU16(addressTableLookups.count)
        for lookup in addressTableLookups {
            writer.write(lookup.accountKey)
            writer.writeCompactU16(lookup.writableIndexes.count)
            writer.write(lookup.writableIndexes)
            writer.writeCompactU16(lookup.readonlyIndexes.count)
            writer.write(lookup.readonlyIndexes)
        }
    }

    /// The wire bytes, starting with the version prefix 0x80 (what is signed).
    public func serialized() -> [UInt8] {
        var writer = WireWriter(capacity: 512)
        serialize(into: &writer)
        return writer.bytes
    }

    static func deserializeBody(from reader: inout WireReader) throws(SolanaCoreError) -> V0Message {
        let firstByte = try reader.readByte()
        let (header, keys, blockhash, instructions) = try reader.readMessageBody(firstByte: firstByte)
        let lookupCount = try reader.readCompactU16()
        var lookups: [MessageAddressTableLookup] = []
        var loaded = 0
        for _ in 0..<lookupCount {
            let key = try reader.readPublicKey()
            let writable = try reader.readBytes(try reader.readCompactU16())
            let readonly = try reader.readBytes(try reader.readCompactU16())
            loaded += writable.count + readonly.count
            lookups.append(MessageAddressTableLookup(accountKey: key, writableIndexes: writable, readonlyIndexes: readonly))
        }
        try MessageValidation.check(header: header, staticKeyCount: keys.count, loadedKeyCount: loaded, instructions: instructions)
        return V0Message(
            header: header, staticAccountKeys: keys, recentBlockhash: blockhash, instructions: instructions,
            addressTableLookups: lookups)
    }
}
