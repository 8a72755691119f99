/// A recent blockhash (32 bytes) that a message names to bound its lifetime (or a durable nonce value).
public struct Blockhash: Sendable, Hashable, CustomStringConvertible, Base58Codable {
    /// The hash as a 32-byte value (same inline layout as an address).
    public let value: PublicKey

    /// Wraps 32 bytes already held as a `PublicKey`-shaped value.
    public init(_ value: PublicKey) { self.value = value }

    /// Creates a blockhash from exactly 32 bytes; any other length throws `invalidLength`.
    public init<Bytes: Collection>(bytes: Bytes) throws(SolanaCoreError) where Bytes.Element == UInt8 {
        guard bytes.count == 32 else {
            throw SolanaCoreError(.invalidLength, "a blockhash is 32 bytes, got \(bytes.count)")
        }
        self.value = try PublicKey(bytes: bytes)
    }

    /// Parses the base58 form that `getLatestBlockhash` returns.
    public init(base58 text: String) throws(SolanaCoreError) {
        let bytes = try Base58.decode(text)
        guard bytes.count == 32 else {
            throw SolanaCoreError(.invalidLength, "'\(text)' decodes to \(bytes.count) bytes, but a blockhash is 32 bytes")
        }
        try self.init(bytes: bytes)
    }

    /// The 32 bytes of the hash.
    public var bytes: [UInt8] { value.bytes }
    /// The base58 text form.
    public var base58: String { value.base58 }
    public var description: String { value.base58 }
}
