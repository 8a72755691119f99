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
