import FlutterbyeTestSupport
import Foundation
import SolanaCore
import Testing

/// Bad input gets a typed error with a message that says what is wrong; secrets never appear in text.
@Suite struct CoreErrorTests {
    /// The `SolanaCoreError` that `body` throws; nil (and so a failed expectation) if it throws nothing or
    /// another error type.
    func error(_ body: () throws -> Void) -> SolanaCoreError? {
        do { try body() } catch let error as SolanaCoreError { return error } catch { return nil }
        return nil
    }

    @Test func badBase58CharacterIsNamedWithItsPosition() {
        for (text, bad, position) in [("abc0def", "'0'", 3), ("Oabc", "'O'", 0), ("11I", "'I'", 2), ("ab l", "' '", 2), ("xyz-", "'-'", 3)] {
            let failure = error { _ = try Base58.decode(text) }
            #expect(failure?.code == .invalidBase58Character)
            #expect(failure?.message.contains(bad) == true, "\(String(describing: failure))")
            #expect(failure?.message.contains("position \(position)") == true)
        }
        #expect(error { _ = try Base58.decode("héllo") }?.code == .invalidBase58Character)
        #expect(error { _ = try PublicKey(base58: "0000000000000000000000000000000000000000000") }?.code == .invalidBase58Character)
    }

    /// `hasOnlyDigits` agrees with the decoder on every ASCII character and on text beyond ASCII.
    @Test func theDigitsAreTheOnesTheDecoderReads() {
        for code in UInt8(0)..<128 {
            let text = String(UnicodeScalar(code))
            #expect(Base58.hasOnlyDigits(text) == ((try? Base58.decode(text)) != nil), "\(code)")
        }
        #expect(Base58.hasOnlyDigits("3yZe7d") && Base58.hasOnlyDigits(""))
        #expect(!Base58.hasOnlyDigits("3yZe7dé") && !Base58.hasOnlyDigits("3yZe 7d"))
    }

    @Test func wrongLengthsAreRefusedWithTheLength() {
        let short = error { _ = try PublicKey(base58: "abc") }
        #expect(short?.code == .invalidLength)
        #expect(short?.message.contains("32 bytes") == true)
        #expect(error { _ = try PublicKey(bytes: [UInt8](repeating: 1, count: 33)) }?.code == .invalidLength)
        #expect(error { _ = try Signature(base58: PublicKey.zero.base58) }?.message.contains("64 bytes") == true)
        #expect(error { _ = try Blockhash(bytes: [1, 2, 3]) }?.code == .invalidLength)
        #expect(error { _ = try Keypair(seed: [UInt8](repeating: 7, count: 31)) }?.code == .invalidLength)
        #expect(error { _ = try Keypair(secretKey: [UInt8](repeating: 7, count: 32)) }?.code == .invalidLength)
        #expect(error { _ = try JobKeyDerivation(masterSeed: [UInt8](repeating: 7, count: 16)) }?.code == .invalidLength)
    }

    @Test func mismatchedSecretIsRefusedWithoutLeakingIt() throws {
        let a = try Keypair(seed: [UInt8](repeating: 1, count: 32))
        let b = try Keypair(seed: [UInt8](repeating: 2, count: 32))
        let spliced = Array(a.exportSecretKey()[0..<32]) + b.publicKey.bytes
        let failure = error { _ = try Keypair(secretKey: spliced) }
        #expect(failure?.code == .secretKeyMismatch)
        let secretText = Base58.encode(spliced)
        #expect(error { _ = try Keypair(base58SecretKey: secretText) }?.code == .secretKeyMismatch)
        #expect(failure.map { !$0.description.contains(secretText) && !$0.description.contains(Base58.encode(spliced[0..<32])) } == true)
        // A wrong character in a secret is reported without echoing the secret.
        let typo = String(secretText.dropLast()) + "0"
        let typoFailure = error { _ = try Keypair(base58SecretKey: typo) }
        #expect(typoFailure?.code == .invalidSecretKey)
        #expect(typoFailure.map { !$0.description.contains(String(secretText.prefix(10))) } == true)
    }

    @Test func keypairFileErrors() {
        #expect(error { _ = try Keypair(solanaKeypairJSON: "{\"key\": 1}") }?.code == .invalidKeypairFile)
        #expect(error { _ = try Keypair(solanaKeypairJSON: "[1,2,3]") }?.code == .invalidKeypairFile)
        #expect(
            error { _ = try Keypair(solanaKeypairJSON: "[" + Array(repeating: "256", count: 64).joined(separator: ",") + "]") }?.code
                == .invalidKeypairFile)
        #expect(
            error { _ = try Keypair(solanaKeypairJSON: "[" + Array(repeating: "x", count: 64).joined(separator: ",") + "]") }?.code
                == .invalidKeypairFile)
    }

    @Test func secretsNeverAppearInDescriptions() throws {
        let keypair = try Keypair(seed: [UInt8](repeating: 9, count: 32))
        let secret = keypair.exportSecretKey()
        let forbidden = [
            Base58.encode(secret), Base58.encode(secret[0..<32]), Hex.encode(Array(secret[0..<32])),
            secret[0..<32].map(String.init).joined(separator: ", "),
        ]
        var dumped = ""
        dump(keypair, to: &dumped)
        for text in [keypair.description, keypair.debugDescription, String(describing: keypair), String(reflecting: keypair), "\(keypair)", dumped] {
            #expect(text.contains(keypair.publicKey.base58) || text.contains("publicKey"))
            for secretForm in forbidden { #expect(!text.contains(secretForm)) }
        }
        let derivation = try JobKeyDerivation(masterSeed: [UInt8](repeating: 5, count: 32))
        var derivationDump = ""
        dump(derivation, to: &derivationDump)
        #expect(!derivationDump.contains("5, 5") && !String(reflecting: derivation).contains("5, 5"))
    }

    func transferMessage(payer: Keypair, extraSigner: Keypair? = nil, memoBytes: Int = 0) throws -> VersionedMessage {
        var accounts = [AccountMeta.writable(payer.publicKey, signer: true)]
        if let extraSigner { accounts.append(.readonly(extraSigner.publicKey, signer: true)) }
        let instruction = Instruction(
            programID: "MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr", accounts: accounts, data: [UInt8](repeating: 65, count: memoBytes))
        return .legacy(try LegacyMessage(payer: payer.publicKey, instructions: [instruction], recentBlockhash: Blockhash(PublicKey.zero)))
    }

    @Test func oversizeTransactionSaysItsSize() throws {
        let payer = try Keypair(seed: [UInt8](repeating: 3, count: 32))
        let message = try transferMessage(payer: payer, memoBytes: 1100)
        let size = 1 + 64 + message.serialized().count
        #expect(size > 1232)
        let failure = error { _ = try Transaction(message: message, signers: [payer]) }
        #expect(failure?.code == .transactionTooLarge)
        #expect(failure?.message.contains("\(size) bytes") == true)
        #expect(failure?.message.contains("1232") == true)
        // Exactly at the limit is fine.
        let fitting = try transferMessage(payer: payer, memoBytes: 1100 - (size - 1232))
        #expect(try Transaction(message: fitting, signers: [payer]).serialized().count == 1232)
    }

    @Test func missingAndUnexpectedSignersAreNamed() throws {
        let payer = try Keypair(seed: [UInt8](repeating: 3, count: 32))
        let cosigner = try Keypair(seed: [UInt8](repeating: 4, count: 32))
        let stranger = try Keypair(seed: [UInt8](repeating: 6, count: 32))
        let message = try transferMessage(payer: payer, extraSigner: cosigner)
        let missing = error { _ = try Transaction(message: message, signers: [payer]) }
        #expect(missing?.code == .missingSigner)
        #expect(missing?.message.contains(cosigner.publicKey.base58) == true)
        let extra = error { _ = try Transaction(message: message, signers: [payer, cosigner, stranger]) }
        #expect(extra?.code == .unexpectedSigner)
        #expect(extra?.message.contains(stranger.publicKey.base58) == true)
        // Order of the given signers does not matter; the header's order does.
        let signed = try Transaction(message: message, signers: [cosigner, payer])
        #expect(signed.signatures[0].verify(signed.serializedMessage, publicKey: payer.publicKey))
        #expect(signed.signatures[1].verify(signed.serializedMessage, publicKey: cosigner.publicKey))
        #expect(error { _ = try Transaction(message: message, signatures: [signed.signatures[0]]) }?.code == .missingSigner)
    }

    @Test func malformedWireBytesNeverCrash() throws {
        let payer = try Keypair(seed: [UInt8](repeating: 3, count: 32))
        let good = try Transaction(message: try transferMessage(payer: payer, memoBytes: 20), signers: [payer]).serialized()
        // Every truncation fails cleanly.
        for length in 0..<good.count {
            #expect(throws: SolanaCoreError.self) { _ = try Transaction.deserialize(Array(good[0..<length])) }
        }
        #expect(error { _ = try Transaction.deserialize(good + [0]) }?.code == .malformedTransaction)
        // Random bytes and random single-byte corruptions: an error or a value, never a trap.
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            let random = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? Transaction.deserialize(random)
            _ = try? VersionedMessage.deserialize(random)
            var corrupted = good
            corrupted[Int.random(in: 0..<good.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            _ = try? Transaction.deserialize(corrupted)
        }
        #expect(error { _ = try Transaction.deserialize([UInt8](repeating: 0, count: 1233)) }?.code == .transactionTooLarge)
        // Non-canonical compact-u16 (0x80 0x00 for zero) is refused as the runtime refuses it.
        #expect(error { _ = try Transaction.deserialize([0x80, 0x00]) }?.code == .malformedTransaction)
        // An unsupported message version is named.
        #expect(error { _ = try VersionedMessage.deserialize([0x81, 1, 0, 0]) }?.message.contains("version 1") == true)
    }

    @Test func compactU16Encoding() throws {
        for (value, expected) in [
            (0, [0x00]), (0x7f, [0x7f]), (0x80, [0x80, 0x01]), (0x3fff, [0xff, 0x7f]), (0x4000, [0x80, 0x80, 0x01]), (0xffff, [0xff, 0xff, 0x03]),
        ] as [(Int, [UInt8])] {
            var writer = WireWriter()
            writer.writeCompactU16(value)
            #expect(writer.bytes == expected)
            var reader = WireReader(expected, errorCode: .malformedMessage, what: "test")
            #expect(try reader.readCompactU16() == value)
        }
        var overflow = WireReader([0xff, 0xff, 0x04], errorCode: .malformedMessage, what: "test")
        #expect(throws: SolanaCoreError.self) { _ = try overflow.readCompactU16() }
        var tooLong = WireReader([0x80, 0x80, 0x80, 0x01], errorCode: .malformedMessage, what: "test")
        #expect(throws: SolanaCoreError.self) { _ = try tooLong.readCompactU16() }
    }

    @Test func programAddressSeedLimits() {
        let program: PublicKey = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
        #expect(
            error { _ = try PublicKey.createProgramAddress(seeds: [[UInt8](repeating: 1, count: 33)], programID: program) }?.code == .invalidSeeds)
        #expect(error { _ = try PublicKey.createProgramAddress(seeds: Array(repeating: [1], count: 17), programID: program) }?.code == .invalidSeeds)
        #expect(error { _ = try PublicKey.findProgramAddress(seeds: Array(repeating: [1], count: 16), programID: program) }?.code == .invalidSeeds)
    }
}
