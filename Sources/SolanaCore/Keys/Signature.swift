/// A 64-byte Ed25519 signature; the first signature of a transaction is its id.
public struct Signature: Sendable, Hashable, CustomStringConvertible, Base58Codable {
    /// The number of bytes in a signature.
    public static let length = 64
    @usableFromInline var low: PublicKey, high: PublicKey

    /// Hashes the eight words folded into one (see `PublicKey.hash(into:)`): signatures are hashed for every
    /// signature the indexer polls.
    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(low.folded &+ high.folded &* 0xFF51_AFD7_ED55_8CCD)
    }

    /// All zeros: the placeholder for a signature not yet made.
    public static let zero = Signature(low: .zero, high: .zero)

    init(low: PublicKey, high: PublicKey) {
        self.low = low
        self.high = high
    }

    /// Creates a signature from exactly 64 bytes; any other length throws `invalidLength`.
    public init<Bytes: Collection>(bytes: Bytes) throws(SolanaCoreError) where Bytes.Element == UInt8 {
        guard bytes.count == Self.length else {
            throw SolanaCoreError(.invalidLength, "a signature is 64 bytes, got \(bytes.count)")
        }
        let array = Array(bytes)
        self.low = try PublicKey(bytes: array[0..<32])
        self.high = try PublicKey(bytes: array[32..<64])
    }

    /// Parses a base58 signature; bad characters or a decoded length other than 64 throw typed errors.
    public init(base58 text: String) throws(SolanaCoreError) {
        var signature = Signature(low: .zero, high: .zero)
        let result: Result<Void, SolanaCoreError> = withUnsafeMutableBytes(of: &signature) { out in
            do throws(SolanaCoreError) { return .success(try Base58.decode(text, exactly: out, what: "a signature")) } catch {
                return .failure(error)
            }
        }
        try result.get()
        self = signature
    }

    /// Parses a base58 signature given as UTF-8 bytes (as a JSON reader finds it); nil when it is not one.
    public init?(base58UTF8 utf8: UnsafeBufferPointer<UInt8>) {
        var signature = Signature.zero
        guard withUnsafeMutableBytes(of: &signature, { out in try? Base58.decode(utf8, into: out) }) == Self.length else { return nil }
        self = signature
    }

    /// The 64 bytes of the signature.
    public var bytes: [UInt8] { withUnsafeBytes(of: self) { Array($0) } }
    /// The base58 text form, as explorers and RPC show it.
    public var base58: String { withUnsafeBytes(of: self) { Base58.encode($0) } }
    public var description: String { base58 }
}
