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
        writer.write(header.numRequiredSignatures)
        writer.write(header.numReadonlySignedAccounts)
        writer.write(header.numReadonlyUnsignedAccounts)
        writer.writeCompactU16(accountKeys.count)
        for key in accountKeys { writer.write(key) }
        writer.write(recentBlockhash.value)
        writer.writeCompactU16(instructions.count)
        for instruction in instructions { instruction.serialize(into: &writer) }
    }

    /// The wire bytes (what is signed).
    public func serialized() -> [UInt8] {
        var writer = WireWriter(capacity: 512)
        serialize(into: &writer)
        return writer.bytes
    }

    static func deserializeBody(from reader: inout WireReader, firstByte: UInt8) throws(SolanaCoreError) -> LegacyMessage {
        let header = MessageHeader(
            numRequiredSignatures: firstByte, numReadonlySignedAccounts: try reader.readByte(),
            numReadonlyUnsignedAccounts: try reader.readByte())
        let keyCount = try reader.readCompactU16()
        var keys: [PublicKey] = []
        keys.reserveCapacity(keyCount)
        for _ in 0..<keyCount { keys.append(try reader.readPublicKey()) }
        let blockhash = Blockhash(try reader.readPublicKey())
        let instructionCount = try reader.readCompactU16()
        var instructions: [CompiledInstruction] = []
        for _ in 0..<instructionCount { instructions.append(try CompiledInstruction.deserialize(from: &reader)) }
        let message = LegacyMessage(header: header, accountKeys: keys, recentBlockhash: blockhash, instructions: instructions)
        try MessageValidation.check(header: header, staticKeyCount: keys.count, loadedKeyCount: 0, instructions: instructions)
        return message
    }
}

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
        writer.write(header.numRequiredSignatures)
        writer.write(header.numReadonlySignedAccounts)
        writer.write(header.numReadonlyUnsignedAccounts)
        writer.writeCompactU16(staticAccountKeys.count)
        for key in staticAccountKeys { writer.write(key) }
        writer.write(recentBlockhash.value)
        writer.writeCompactU16(instructions.count)
        for instruction in instructions { instruction.serialize(into: &writer) }
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
        let header = MessageHeader(
            numRequiredSignatures: try reader.readByte(), numReadonlySignedAccounts: try reader.readByte(),
            numReadonlyUnsignedAccounts: try reader.readByte())
        let keyCount = try reader.readCompactU16()
        var keys: [PublicKey] = []
        keys.reserveCapacity(keyCount)
        for _ in 0..<keyCount { keys.append(try reader.readPublicKey()) }
        let blockhash = Blockhash(try reader.readPublicKey())
        let instructionCount = try reader.readCompactU16()
        var instructions: [CompiledInstruction] = []
        for _ in 0..<instructionCount { instructions.append(try CompiledInstruction.deserialize(from: &reader)) }
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

/// Either kind of message, as a transaction carries it; the first byte tells them apart (0x80 and up = versioned).
public enum VersionedMessage: Sendable, Hashable {
    case legacy(LegacyMessage)
    case v0(V0Message)

    public var header: MessageHeader {
        switch self {
        case .legacy(let message): message.header
        case .v0(let message): message.header
        }
    }

    /// The keys written in the message (for legacy: all of them).
    public var staticAccountKeys: [PublicKey] {
        switch self {
        case .legacy(let message): message.accountKeys
        case .v0(let message): message.staticAccountKeys
        }
    }

    public var recentBlockhash: Blockhash {
        switch self {
        case .legacy(let message): message.recentBlockhash
        case .v0(let message): message.recentBlockhash
        }
    }

    public var instructions: [CompiledInstruction] {
        switch self {
        case .legacy(let message): message.instructions
        case .v0(let message): message.instructions
        }
    }

    /// The keys that must sign, in the order their signatures appear in the transaction.
    public var requiredSigners: ArraySlice<PublicKey> {
        staticAccountKeys.prefix(Int(header.numRequiredSignatures))
    }

    /// The fee payer (the first signer).
    public var feePayer: PublicKey? { staticAccountKeys.first }

    func serialize(into writer: inout WireWriter) {
        switch self {
        case .legacy(let message): message.serialize(into: &writer)
        case .v0(let message): message.serialize(into: &writer)
        }
    }

    /// The wire bytes (what is signed).
    public func serialized() -> [UInt8] {
        var writer = WireWriter(capacity: 512)
        serialize(into: &writer)
        return writer.bytes
    }

    /// Parses message bytes; trailing bytes or an unsupported version throw `malformedMessage`.
    public static func deserialize(_ bytes: [UInt8]) throws(SolanaCoreError) -> VersionedMessage {
        var reader = WireReader(bytes, errorCode: .malformedMessage, what: "message")
        let message = try deserialize(from: &reader)
        guard reader.remaining == 0 else {
            throw SolanaCoreError(.malformedMessage, "malformed message: \(reader.remaining) unexpected bytes after the end")
        }
        return message
    }

    static func deserialize(from reader: inout WireReader) throws(SolanaCoreError) -> VersionedMessage {
        let first = try reader.readByte()
        guard first & 0x80 != 0 else {
            return .legacy(try LegacyMessage.deserializeBody(from: &reader, firstByte: first))
        }
        let version = first & 0x7f
        guard version == 0 else {
            throw SolanaCoreError(.malformedMessage, "malformed message: version \(version) is not supported (only legacy and v0 exist)")
        }
        return .v0(try V0Message.deserializeBody(from: &reader))
    }
}

/// The structural checks the runtime makes before a message can run, so a parsed message is always indexable.
enum MessageValidation {
    static func check(header: MessageHeader, staticKeyCount: Int, loadedKeyCount: Int, instructions: [CompiledInstruction]) throws(SolanaCoreError) {
        let signers = Int(header.numRequiredSignatures)
        guard signers >= 1 else { throw SolanaCoreError(.malformedMessage, "malformed message: it requires no signature, so it has no fee payer") }
        guard signers + Int(header.numReadonlyUnsignedAccounts) <= staticKeyCount else {
            throw SolanaCoreError(
                .malformedMessage,
                "malformed message: the header counts more accounts (\(signers) signers + \(header.numReadonlyUnsignedAccounts) read-only) than the \(staticKeyCount) keys it lists"
            )
        }
        guard header.numReadonlySignedAccounts < header.numRequiredSignatures else {
            throw SolanaCoreError(.malformedMessage, "malformed message: every signer is read-only, but the fee payer must be writable")
        }
        let total = staticKeyCount + loadedKeyCount
        guard total <= 256 else {
            throw SolanaCoreError(.malformedMessage, "malformed message: it addresses \(total) accounts; at most 256 are allowed")
        }
        for (number, instruction) in instructions.enumerated() {
            guard Int(instruction.programIDIndex) < staticKeyCount else {
                throw SolanaCoreError(
                    .malformedMessage,
                    "malformed message: instruction \(number)'s program index \(instruction.programIDIndex) is outside the \(staticKeyCount) static keys"
                )
            }
            if let bad = instruction.accounts.first(where: { Int($0) >= total }) {
                throw SolanaCoreError(
                    .malformedMessage, "malformed message: instruction \(number) uses account index \(bad), but the message has \(total) accounts")
            }
        }
    }
}
