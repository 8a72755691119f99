import Crypto
import FlutterbyeTestSupport
import Foundation
import SolanaCore
import Testing

/// Properties of the curve check and the deterministic job keys that no vector file can show alone.
@Suite struct KeyDerivationTests {
    @Test func everyPublicKeyIsOnTheCurve() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<300 {
            let seed = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(Ed25519Curve.isOnCurve(try Keypair(seed: seed).publicKey))
        }
    }

    @Test func aboutHalfOfRandomHashesAreOnTheCurve() throws {
        var onCurve = 0
        for i in 0..<1000 {
            let digest = SHA256.hash(data: Array("point-\(i)".utf8))
            if Ed25519Curve.isOnCurve(try PublicKey(bytes: Array(digest))) { onCurve += 1 }
        }
        #expect((400...600).contains(onCurve), "\(onCurve) of 1000")
    }

    @Test func knownPointsAndNonPoints() throws {
        // y = 1 is the identity (x = 0); y = 0 gives x^2 = -1, which has a root mod p; y = 2 gives none.
        var identity = [UInt8](repeating: 0, count: 32)
        identity[0] = 1
        #expect(Ed25519Curve.isOnCurve(try PublicKey(bytes: identity)))
        #expect(Ed25519Curve.isOnCurve(PublicKey.zero))
        var two = [UInt8](repeating: 0, count: 32)
        two[0] = 2
        #expect(!Ed25519Curve.isOnCurve(try PublicKey(bytes: two)))
        // Program ids found by search are off the curve, wallets on it.
        #expect(!Ed25519Curve.isOnCurve(try PublicKey.findProgramAddress(seeds: [], programID: .zero).address))
    }

    @Test func jobKeysAreDeterministicAndDistinct() throws {
        let derivation = try JobKeyDerivation(masterSeed: Array("a master seed of at least 32 bytes!!".utf8))
        let again = try JobKeyDerivation(masterSeed: Array("a master seed of at least 32 bytes!!".utf8))
        let other = try JobKeyDerivation(masterSeed: Array("another master seed, also 32 bytes.".utf8))
        #expect(derivation.keypair(forJobKey: "job-1").publicKey == again.keypair(forJobKey: "job-1").publicKey)
        #expect(derivation.keypair(forJobKey: "job-1").publicKey != derivation.keypair(forJobKey: "job-2").publicKey)
        #expect(derivation.keypair(forJobKey: "job-1").publicKey != other.keypair(forJobKey: "job-1").publicKey)
        // The documented KDF: HKDF-SHA256(ikm: master seed, salt: "flutterbye/job-keypair/v1", info: job key).
        let expectedSeed = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Array("a master seed of at least 32 bytes!!".utf8)),
            salt: Array("flutterbye/job-keypair/v1".utf8), info: Array("job-1".utf8), outputByteCount: 32)
        let expected = try expectedSeed.withUnsafeBytes { try Keypair(seed: Array($0)) }
        #expect(derivation.keypair(forJobKey: "job-1").publicKey == expected.publicKey)
    }
}

/// Keys and signatures hash their words folded into one; keys whose words repeat (a repeated byte) must still hash
/// apart, and equal values alike.
@Suite struct KeyHashingTests {
    /// The master seed's fingerprint, against Python's `cryptography` HKDF (computed outside this project:
    /// `HKDF(SHA256(), 32, salt=b"flutterbye/master-seed-fingerprint/v1", info=b"").derive(seed).hex()`).
    @Test func theMasterSeedFingerprintIsHKDFOfTheSeedAndShowsNothingOfIt() throws {
        let first = try JobKeyDerivation(masterSeed: [UInt8](repeating: 0x2a, count: 32))
        let second = try JobKeyDerivation(masterSeed: [UInt8](repeating: 0x2b, count: 32))
        #expect(first.fingerprint == "2848756bc373e3dc1feb34d02e5c4fee901a5a45cd800864a882fb4533dc26af")
        #expect(second.fingerprint == "d29d64a185504d2ef6248dfb969e69128e551753990464d19bbe1c6ddbaf1c42")
        #expect(!first.fingerprint.contains("2a2a2a2a"))
        #expect(first.fingerprint != first.keypair(forJobKey: "").publicKey.bytes.map { String(format: "%02x", $0) }.joined())
    }

    @Test func repeatedByteKeysAndSignaturesHashApart() throws {
        let keys = try (0...255).map { try PublicKey(bytes: [UInt8](repeating: UInt8($0), count: 32)) }
        #expect(Set(keys.map(\.hashValue)).count == 256)
        let signatures = try (0...255).map { try Signature(bytes: [UInt8](repeating: UInt8($0), count: 64)) }
        #expect(Set(signatures.map(\.hashValue)).count == 256)
        // Words swapped are other keys, and hash apart too.
        let swapped = try PublicKey(bytes: [UInt8](repeating: 1, count: 8) + [UInt8](repeating: 2, count: 8) + [UInt8](repeating: 0, count: 16))
        let other = try PublicKey(bytes: [UInt8](repeating: 2, count: 8) + [UInt8](repeating: 1, count: 8) + [UInt8](repeating: 0, count: 16))
        #expect(swapped.hashValue != other.hashValue)
        let key = Keypair.generate().publicKey
        #expect(try PublicKey(base58: key.base58).hashValue == key.hashValue)
    }
}

@Suite struct MasterSeedHexTests {
    @Test func hexSeedsMatchTheirBytesAndBadOnesAreRefusedWithoutEcho() throws {
        let bytes = (0..<32).map { UInt8($0 * 7 & 0xff) }
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        #expect(
            try JobKeyDerivation(masterSeedHex: hex.uppercased() + "\n").keypair(forJobKey: "k").publicKey
                == (try JobKeyDerivation(masterSeed: bytes)).keypair(forJobKey: "k").publicKey)
        for bad in [hex + "a", String(hex.dropLast(2)) + "zz", "0x" + hex] {
            do {
                _ = try JobKeyDerivation(masterSeedHex: bad)
                Issue.record("\(bad.prefix(8))… should be refused")
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(!error.message.contains(String(hex.prefix(16))))
            }
        }
        #expect(throws: SolanaCoreError.self) { try JobKeyDerivation(masterSeedHex: "abcd") }
    }
}

@Suite struct Base58CodableTests {
    struct Wrapper: Codable, Equatable {
        let key: PublicKey
        let signature: Signature
        let blockhash: Blockhash
    }

    @Test func keysSignaturesAndBlockhashesAreBase58InJSON() throws {
        let keypair = try Keypair(seed: [UInt8](repeating: 1, count: 32))
        let value = Wrapper(key: keypair.publicKey, signature: keypair.sign([1, 2, 3]), blockhash: Blockhash(keypair.publicKey))
        let json = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        #expect(json.contains("\"\(keypair.publicKey.base58)\""))
        #expect(try JSONDecoder().decode(Wrapper.self, from: Data(json.utf8)) == value)
        let bad = json.replacingOccurrences(of: keypair.publicKey.base58, with: "0OIl")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Wrapper.self, from: Data(bad.utf8)) }
    }
}
