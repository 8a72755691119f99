/// A signed Solana transaction: one signature per required signer, in header order, then the message.
/// Construction enforces the 1232-byte packet limit, so every `Transaction` value can be sent.
public struct Transaction: Sendable, Hashable {
    /// The largest serialized transaction the network accepts (IPv6 MTU minus headers).
    public static let maxSerializedSize = 1232

    /// Signatures in the order of `message.requiredSigners`; the first is the transaction's id.
    public let signatures: [Signature]
    public let message: VersionedMessage
    private let messageBytes: [UInt8]

    /// Signs `message` with `signers`. Every required signer must be present (`missingSigner` names the absent
    /// keys) and no other keypair may be given (`unexpectedSigner`); the order of `signers` does not matter.
    public init(message: VersionedMessage, signers: [Keypair]) throws(SolanaCoreError) {
        let required = message.requiredSigners
        let messageBytes = message.serialized()
        try Self.checkSize(signatureCount: required.count, messageSize: messageBytes.count)
        var byKey: [PublicKey: Keypair] = [:]
        for signer in signers { byKey[signer.publicKey] = signer }
        let requiredSet = Set(required)
        let extra = byKey.keys.filter { !requiredSet.contains($0) }.sorted()
        guard extra.isEmpty else {
            throw SolanaCoreError(
                .unexpectedSigner,
                "the message does not require a signature from \(extra.map(\.base58).joined(separator: ", ")); remove that keypair from the signers")
        }
        let missing = required.filter { byKey[$0] == nil }
        guard missing.isEmpty else {
            throw SolanaCoreError(
                .missingSigner,
                "the message requires a signature from \(missing.map(\.base58).joined(separator: ", ")), but no keypair for it was given")
        }
        self.signatures = required.map { byKey[$0]!.sign(messageBytes) }
        self.message = message
        self.messageBytes = messageBytes
    }

    /// Assembles a transaction from existing signatures (for example ones made elsewhere, or zero signatures for a
    /// simulation without signature checks). Their number must match the header; the size limit applies.
    public init(message: VersionedMessage, signatures: [Signature]) throws(SolanaCoreError) {
        let messageBytes = message.serialized()
        guard signatures.count == Int(message.header.numRequiredSignatures) else {
            throw SolanaCoreError(
                .missingSigner, "the message requires \(message.header.numRequiredSignatures) signatures, \(signatures.count) were given")
        }
        try Self.checkSize(signatureCount: signatures.count, messageSize: messageBytes.count)
        self.signatures = signatures
        self.message = message
        self.messageBytes = messageBytes
    }

    private static func checkSize(signatureCount: Int, messageSize: Int) throws(SolanaCoreError) {
        guard signatureCount >= 1 else {
            throw SolanaCoreError(.missingSigner, "the message requires no signature, so it has no fee payer; compile it with a payer")
        }
        let size = serializedSize(signatureCount: signatureCount, messageSize: messageSize)
        guard size <= maxSerializedSize else {
            throw SolanaCoreError(
                .transactionTooLarge,
                "the transaction is \(size) bytes; Solana accepts at most \(maxSerializedSize). Split the work over several transactions or use a v0 message with address lookup tables"
            )
        }
    }

    /// The bytes a transaction takes on the wire with `signatureCount` signatures and a message of `messageSize` bytes.
    public static func serializedSize(signatureCount: Int, messageSize: Int) -> Int {
        WireWriter.compactU16Size(signatureCount) + Signature.length * signatureCount + messageSize
    }

    /// The transaction id: the fee payer's signature.
    public var id: Signature { signatures[0] }

    /// The serialized message (the bytes that were signed).
    public var serializedMessage: [UInt8] { messageBytes }

    /// The wire bytes, as `sendTransaction` takes them (base64-encode for JSON-RPC).
    public func serialized() -> [UInt8] {
        var writer = WireWriter(capacity: 64 * signatures.count + messageBytes.count + 3)
        writer.writeCompactU16(signatures.count)
        for signature in signatures { writer.write(signature) }
        writer.write(messageBytes)
        return writer.bytes
    }

    /// Whether every signature is valid for its signer.
    public func verifySignatures() -> Bool {
        zip(signatures, message.requiredSigners).allSatisfy { $0.verify(messageBytes, publicKey: $1) }
    }

    /// Parses wire bytes. Throws `transactionTooLarge` over 1232 bytes and `malformedTransaction` when the bytes
    /// do not parse or the signature count does not match the header.
    public static func deserialize(_ bytes: [UInt8]) throws(SolanaCoreError) -> Transaction {
        guard bytes.count <= maxSerializedSize else {
            throw SolanaCoreError(.transactionTooLarge, "the transaction is \(bytes.count) bytes; Solana accepts at most \(maxSerializedSize)")
        }
        var reader = WireReader(bytes, errorCode: .malformedTransaction, what: "transaction")
        let count = try reader.readCompactU16()
        var signatures: [Signature] = []
        signatures.reserveCapacity(count)
        for _ in 0..<count { signatures.append(try reader.readSignature()) }
        let messageStart = reader.offset
        let message: VersionedMessage
        do { message = try VersionedMessage.deserialize(from: &reader) } catch {
            throw SolanaCoreError(.malformedTransaction, "the transaction's message does not parse: \(error.message)")
        }
        guard reader.remaining == 0 else {
            throw SolanaCoreError(.malformedTransaction, "malformed transaction: \(reader.remaining) unexpected bytes after the message")
        }
        guard count == Int(message.header.numRequiredSignatures) else {
            throw SolanaCoreError(
                .malformedTransaction,
                "malformed transaction: \(count) signatures for a message that requires \(message.header.numRequiredSignatures)")
        }
        return try Transaction(message: message, signatures: signatures, messageBytes: Array(bytes[messageStart...]))
    }

    private init(message: VersionedMessage, signatures: [Signature], messageBytes: [UInt8]) throws(SolanaCoreError) {
        self.signatures = signatures
        self.message = message
        self.messageBytes = messageBytes
    }
}
