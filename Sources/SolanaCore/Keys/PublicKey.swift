/// A 32-byte Solana address: an Ed25519 public key or a program-derived address.
/// Stored inline (no heap allocation), so it is cheap to copy, compare and hash.
public struct PublicKey: Sendable, Hashable, Comparable, CustomStringConvertible, Base58Codable {
    /// The number of bytes in an address.
    public static let length = 32

    // Four words in memory order; equality comes for free.
    @usableFromInline var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    /// Hashes the four words folded into one: the hasher (seeded per process) then runs once instead of four times
    /// (the indexer hashes keys by the million). The fold weighs each word by a different odd constant, so keys
    /// whose words repeat (a byte repeated, as test keys are) do not all fold to zero.
    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(folded)
    }

    /// The four words in one, each times its own odd constant (mod 2^64).
    @inlinable var folded: UInt64 {
        w0 &+ w1 &* 0x9E37_79B9_7F4A_7C15 &+ w2 &* 0xC2B2_AE3D_27D4_EB4F &+ w3 &* 0x1656_67B1_9E37_79F9
    }

    /// The all-zero address (the System program's id).
    public static let zero = PublicKey(w0: 0, w1: 0, w2: 0, w3: 0)

    @usableFromInline init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    /// Creates an address from exactly 32 bytes; any other length throws `invalidLength`.
    public init<Bytes: Collection>(bytes: Bytes) throws(SolanaCoreError) where Bytes.Element == UInt8 {
        guard bytes.count == Self.length else {
            throw SolanaCoreError(.invalidLength, "a public key is 32 bytes, got \(bytes.count)")
        }
        self = .zero
        withUnsafeMutableBytes(of: &self) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
    }

    /// Parses a base58 address; bad characters or a decoded length other than 32 throw typed errors.
    public init(base58 text: String) throws(SolanaCoreError) {
        var key = PublicKey.zero
        let result: Result<Void, SolanaCoreError> = withUnsafeMutableBytes(of: &key) { out in
            do throws(SolanaCoreError) { return .success(try Base58.decode(text, exactly: out, what: "a public key")) } catch {
                return .failure(error)
            }
        }
        try result.get()
        self = key
    }

    /// Parses a base58 address given as UTF-8 bytes (as a JSON reader finds it); nil when it is not one.
    public init?(base58UTF8 utf8: UnsafeBufferPointer<UInt8>) {
        var key = PublicKey.zero
        guard withUnsafeMutableBytes(of: &key, { out in try? Base58.decode(utf8, into: out) }) == Self.length else { return nil }
        self = key
    }

    /// The 32 bytes of the address.
    public var bytes: [UInt8] { withUnsafeBytes(of: self) { Array($0) } }

    /// The key, or nil when it is all zeros: how Token-2022 stores "none" (`OptionalNonZeroPubkey`).
    public var nonZero: PublicKey? { self == .zero ? nil : self }

    /// Calls `body` with the address's bytes without copying them.
    @inlinable public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: self, body)
    }

    /// The base58 text form.
    public var base58: String { withUnsafeBytes(of: self) { Base58.encode($0) } }
    public var description: String { base58 }

    /// Byte-wise (lexicographic) order, as Solana sorts keys.
    public static func < (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.withBytes { l in rhs.withBytes { r in l.lexicographicallyPrecedes(r) } }
    }
}

extension PublicKey: ExpressibleByStringLiteral {
    /// A compile-time constant address, such as a program id. Traps on a malformed literal (a programmer
    /// error in source, never input); use `init(base58:)` for anything that comes from outside.
    public init(stringLiteral value: String) {
        do { try self.init(base58: value) } catch { preconditionFailure("malformed PublicKey literal \(value): \(error)") }
    }
}

/// A value whose JSON form is its base58 text, as Solana JSON-RPC writes keys, signatures and blockhashes.
public protocol Base58Codable: Codable {
    /// Parses the base58 text form.
    init(base58 text: String) throws(SolanaCoreError)
    /// The base58 text form.
    var base58: String { get }
}

extension Base58Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(base58: text) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(base58)
    }
}
