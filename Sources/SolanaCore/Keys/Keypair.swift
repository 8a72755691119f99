import Crypto
import Foundation

/// An Ed25519 signing keypair (fee payer, mint, authority). The secret half never appears in
/// `description`, `debugDescription`, reflection, logs or errors.
public struct Keypair: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let signingKey: SigningKey
    /// The public half: the account address this keypair signs for.
    public let publicKey: PublicKey

    /// Creates the keypair for a 32-byte Ed25519 seed (the first half of a Solana secret key).
    public init<Bytes: Collection>(seed: Bytes) throws(SolanaCoreError) where Bytes.Element == UInt8 {
        guard seed.count == 32 else {
            throw SolanaCoreError(.invalidLength, "an Ed25519 seed is 32 bytes, got \(seed.count)")
        }
        let key: Curve25519.Signing.PrivateKey
        do { key = try Curve25519.Signing.PrivateKey(rawRepresentation: Array(seed)) } catch {
            throw SolanaCoreError(.invalidSecretKey, "the seed is not a valid Ed25519 private key")
        }
        self.signingKey = SigningKey(key: key)
        self.publicKey = key.publicKey.rawRepresentation.withUnsafeBytes { PublicKey(copying32: $0) }
    }

    /// Creates a keypair from the 64-byte Solana secret key (seed ‖ public key). Throws `secretKeyMismatch`
    /// when the public half is not the one the seed gives — a corrupted or spliced key.
    public init<Bytes: Collection>(secretKey: Bytes) throws(SolanaCoreError) where Bytes.Element == UInt8 {
        guard secretKey.count == 64 else {
            throw SolanaCoreError(.invalidLength, "a Solana secret key is 64 bytes (seed and public key), got \(secretKey.count)")
        }
        let bytes = Array(secretKey)
        try self.init(seed: bytes[0..<32])
        guard publicKey.bytes[...] == bytes[32..<64] else {
            throw SolanaCoreError(
                .secretKeyMismatch,
                "the secret key's public half does not match its private half (it derives \(publicKey)); the key is corrupted or was assembled from two keys"
            )
        }
    }

    /// Parses a base58 secret key, the form `SOLANA_PRIVATE_KEY` and wallets export.
    public init(base58SecretKey text: String) throws(SolanaCoreError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let bytes: [UInt8]
        do { bytes = try Base58.decode(trimmed) } catch {
            // Never echo the secret text back: only say where it went wrong.
            throw SolanaCoreError(.invalidSecretKey, "the base58 secret key has a character outside the base58 alphabet")
        }
        try self.init(secretKey: bytes)
    }

    /// Parses a Solana CLI keypair file's contents: a JSON array of 64 integers 0...255 (`[12,34,...]`).
    public init(solanaKeypairJSON text: String) throws(SolanaCoreError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else {
            throw SolanaCoreError(.invalidKeypairFile, "a keypair file is a JSON array of 64 numbers like [12,34,...]")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for (index, part) in trimmed.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            let item = part.trimmingCharacters(in: .whitespacesAndNewlines)
            guard let value = UInt8(item) else {
                throw SolanaCoreError(.invalidKeypairFile, "element \(index) of the keypair file is not an integer 0...255")
            }
            bytes.append(value)
        }
        guard bytes.count == 64 else {
            throw SolanaCoreError(.invalidKeypairFile, "a keypair file holds 64 numbers, this one holds \(bytes.count)")
        }
        try self.init(secretKey: bytes)
    }

    /// Parses a secret key in either form `SOLANA_PRIVATE_KEY` may hold: a Solana CLI JSON array (`[12,34,...]`)
    /// or a base58 string.
    public init(secretKeyText text: String) throws(SolanaCoreError) {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("[") {
            try self.init(solanaKeypairJSON: text)
        } else {
            try self.init(base58SecretKey: text)
        }
    }

    /// A fresh random keypair from the system's secure random source.
    public static func generate() -> Keypair {
        let key = Curve25519.Signing.PrivateKey()
        return Keypair(privateKey: key)
    }

    private init(privateKey: Curve25519.Signing.PrivateKey) {
        self.signingKey = SigningKey(key: privateKey)
        self.publicKey = privateKey.publicKey.rawRepresentation.withUnsafeBytes { PublicKey(copying32: $0) }
    }

    /// Signs `message` with Ed25519 (deterministic, RFC 8032).
    public func sign(_ message: [UInt8]) -> Signature {
        // BoringSSL's Ed25519 cannot fail for a valid key.
        let raw = try! signingKey.key.signature(for: message)
        return raw.withUnsafeBytes { Signature(copying64: $0) }
    }

    /// The 64-byte Solana secret key (seed ‖ public key), for writing a keypair file. Handle with care:
    /// this is the only way the secret leaves the value.
    public func exportSecretKey() -> [UInt8] {
        Array(signingKey.key.rawRepresentation) + publicKey.bytes
    }

    public var description: String { "Keypair(publicKey: \(publicKey))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["publicKey": publicKey], displayStyle: .struct) }
}

extension Signature {
    /// Whether this is a valid Ed25519 signature of `message` by `publicKey`.
    public func verify(_ message: [UInt8], publicKey: PublicKey) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey.bytes) else { return false }
        return key.isValidSignature(bytes, for: message)
    }
}

/// swift-crypto 3 does not mark its key types `Sendable`, but a `Curve25519.Signing.PrivateKey` is an
/// immutable value (its storage is never mutated after initialisation), so sharing it across tasks is safe.
private struct SigningKey: @unchecked Sendable {
    let key: Curve25519.Signing.PrivateKey
}

extension PublicKey {
    init(copying32 raw: UnsafeRawBufferPointer) {
        var key = PublicKey.zero
        withUnsafeMutableBytes(of: &key) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw.prefix(32))) }
        self = key
    }
}

extension Signature {
    init(copying64 raw: UnsafeRawBufferPointer) {
        var signature = Signature.zero
        withUnsafeMutableBytes(of: &signature) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw.prefix(64))) }
        self = signature
    }
}
