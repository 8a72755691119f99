import Crypto
import Foundation

/// Derives a deterministic Ed25519 keypair per job from a secret master seed and the job's idempotency key,
/// so a retried job always gets the same mint address (and a second mint can never be created for it).
///
/// KDF: HKDF-SHA256 (RFC 5869) with input key material = the master seed, salt = the UTF-8 bytes of
/// `"flutterbye/job-keypair/v1"` and info = the UTF-8 bytes of the job key; the 32-byte output is the
/// Ed25519 seed. Changing any of these changes every derived address, so they are fixed forever for v1.
public struct JobKeyDerivation: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The salt that binds derived keys to this scheme and version.
    public static let salt = Array("flutterbye/job-keypair/v1".utf8)
    /// The shortest master seed accepted, in bytes.
    public static let minimumSeedLength = 32

    private let masterSeed: [UInt8]

    /// Creates the derivation from a master seed of at least 32 bytes of secret randomness.
    public init<Bytes: Collection>(masterSeed: Bytes) throws(SolanaCoreError) where Bytes.Element == UInt8 {
        guard masterSeed.count >= Self.minimumSeedLength else {
            throw SolanaCoreError(
                .invalidLength,
                "the master seed is \(masterSeed.count) bytes; it must be at least \(Self.minimumSeedLength) bytes of secret randomness (e.g. `openssl rand -hex 32`)"
            )
        }
        self.masterSeed = Array(masterSeed)
    }

    /// Creates the derivation from a master seed written as hex (as `FLUTTERBYE_MASTER_SEED` holds it).
    /// Throws `invalidArgument` for anything but an even number of hex digits, `invalidLength` under 32 bytes;
    /// the messages never repeat the seed.
    public init(masterSeedHex text: String) throws(SolanaCoreError) {
        guard let bytes = Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw SolanaCoreError(
                .invalidArgument, "the master seed must be hex digits, an even number of 0-9 and a-f (e.g. from `openssl rand -hex 32`)")
        }
        try self.init(masterSeed: bytes)
    }

    /// The keypair for `jobKey`; the same key always gives the same keypair.
    public func keypair(forJobKey jobKey: String) -> Keypair {
        let seed = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: masterSeed), salt: Self.salt, info: Array(jobKey.utf8), outputByteCount: 32)
        // 32 bytes always make a valid Ed25519 seed.
        return seed.withUnsafeBytes { try! Keypair(seed: Array($0)) }
    }

    /// A one-way fingerprint of the master seed (64 hex digits), to tell whether two processes use the same seed
    /// without showing it: HKDF-SHA256 of the seed with salt `"flutterbye/master-seed-fingerprint/v1"` and no info,
    /// which no job key can produce (job keys use another salt).
    public var fingerprint: String {
        let digest = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: masterSeed), salt: Array("flutterbye/master-seed-fingerprint/v1".utf8), info: [],
            outputByteCount: 32)
        return digest.withUnsafeBytes { Hex.encode($0) }
    }

    public var description: String { "JobKeyDerivation(HKDF-SHA256, v1)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
