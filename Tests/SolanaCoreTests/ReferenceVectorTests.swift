import Foundation
import SolanaCore
import Testing

/// Byte-for-byte agreement with solders 0.29 (the Rust solana-sdk behind it) on every committed vector.
@Suite struct ReferenceVectorTests {
    let vectors = ReferenceVectors.shared

    @Test func thereAreAtLeast300Vectors() {
        #expect(vectors.totalCount >= 300, "only \(vectors.totalCount) vectors")
        #expect(vectors.generator.contains("solders 0.29"))
    }

    /// The limb-wise encoder against the plain digit-by-digit conversion, on random inputs of every length up to 80
    /// bytes with and without leading zeros, and back through the decoder.
    @Test func base58EncodingMatchesTheDigitByDigitConversion() throws {
        func reference(_ input: [UInt8]) -> String {
            let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
            var digits: [Int] = []
            for byte in input {
                var carry = Int(byte)
                for index in digits.indices {
                    carry += digits[index] * 256
                    digits[index] = carry % 58
                    carry /= 58
                }
                while carry > 0 {
                    digits.append(carry % 58)
                    carry /= 58
                }
            }
            let zeros = input.prefix { $0 == 0 }.count
            return String(repeating: "1", count: zeros) + String(digits.reversed().map { alphabet[$0] })
        }
        var generator = SystemRandomNumberGenerator()
        for length in 0...80 {
            for zeros in [0, 1, 3] where zeros <= length {
                let bytes = [UInt8](repeating: 0, count: zeros) + (zeros..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let encoded = Base58.encode(bytes)
                #expect(encoded == reference(bytes), "\(bytes)")
                #expect(try Base58.decode(encoded) == bytes)
            }
        }
        #expect(Base58.encode([UInt8](repeating: 255, count: 64)) == reference([UInt8](repeating: 255, count: 64)))
    }

    /// Every byte decodes as the alphabet says: each of the 58 characters to its place in it, every other byte
    /// (including the look-alikes 0, O, I and l, and bytes above 0x7F) refused.
    @Test func everyByteDecodesToItsDigitOrIsRefused() throws {
        let alphabet = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
        for byte in UInt8.min...UInt8.max {
            let expected = alphabet.firstIndex(of: byte)
            let text = [UInt8(ascii: "2"), byte]
            if let expected {
                #expect(try text.withUnsafeBufferPointer { try Base58.decode($0) } == [UInt8(58 + expected)], "byte \(byte)")
            } else {
                #expect(throws: SolanaCoreError.self, "byte \(byte)") { try text.withUnsafeBufferPointer { try Base58.decode($0) } }
            }
        }
    }

    /// Keys and signatures decode straight into their bytes (`PublicKey(base58:)`, `Signature(base58:)`); they must
    /// agree with the general conversion on random values with and without leading zeros, and texts of other lengths
    /// must be refused.
    @Test func keysAndSignaturesDecodeLikeTheGeneralConversion() throws {
        var generator = SystemRandomNumberGenerator()
        for length in [32, 64] {
            for zeros in [0, 0, 0, 1, 2, 5, length - 1, length] {
                for _ in 0..<40 {
                    var bytes = [UInt8](repeating: 0, count: zeros) + (zeros..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    if Bool.random(using: &generator), zeros < length { bytes[zeros] = 0xFF }
                    let text = Base58.encode(bytes)
                    if length == 32 {
                        #expect(try PublicKey(base58: text).bytes == bytes, "\(text)")
                    } else {
                        #expect(try Signature(base58: text).bytes == bytes, "\(text)")
                    }
                    #expect(try Base58.decode(text) == bytes)
                }
            }
            #expect(try Base58.decode(Base58.encode([UInt8](repeating: 0xFF, count: length))) == [UInt8](repeating: 0xFF, count: length))
        }
        // One byte short or long: refused, naming the length a key has.
        for count in [31, 33] {
            for zeros in [0, 1] {
                let text = Base58.encode([UInt8](repeating: 0, count: zeros) + [UInt8](repeating: 0xAB, count: count - zeros))
                #expect(throws: SolanaCoreError.self) { try PublicKey(base58: text) }
                do { _ = try PublicKey(base58: text) } catch {
                    #expect(error.code == .invalidLength && error.message.contains("a public key is 32 bytes"), "\(error)")
                }
            }
        }
        for count in [63, 65] {
            let text = Base58.encode([UInt8](repeating: 0x7F, count: count))
            do { _ = try Signature(base58: text) } catch { #expect(error.code == .invalidLength, "\(error)") }
            #expect(throws: SolanaCoreError.self) { try Signature(base58: text) }
        }
        // 45 characters (too many for 32 bytes), 33 '1's (33 zero bytes), a bad character: each refused.
        #expect(throws: SolanaCoreError.self) { try PublicKey(base58: String(repeating: "z", count: 45)) }
        #expect(throws: SolanaCoreError.self) { try PublicKey(base58: String(repeating: "1", count: 33)) }
        #expect(try PublicKey(base58: String(repeating: "1", count: 32)) == .zero)
        #expect(throws: SolanaCoreError.self) { try PublicKey(base58: "0" + String(repeating: "2", count: 43)) }
    }

    @Test func base58MatchesBothWays() throws {
        #expect(!vectors.base58.isEmpty)
        for vector in vectors.base58 {
            let bytes = hexBytes(vector.hex)
            #expect(Base58.encode(bytes) == vector.base58, "encode \(vector.hex)")
            #expect(try Base58.decode(vector.base58) == bytes, "decode \(vector.base58)")
        }
    }

    @Test func keypairsDeriveAndSignLikeSolders() throws {
        #expect(!vectors.keypairs.isEmpty)
        for vector in vectors.keypairs {
            let fromSeed = try Keypair(seed: hexBytes(vector.seed_hex))
            #expect(fromSeed.publicKey.base58 == vector.pubkey)
            #expect(fromSeed.exportSecretKey() == hexBytes(vector.secret_hex))
            #expect(try Keypair(secretKey: hexBytes(vector.secret_hex)).publicKey.base58 == vector.pubkey)
            #expect(try Keypair(base58SecretKey: vector.secret_base58).publicKey.base58 == vector.pubkey)
            let json = "[" + hexBytes(vector.secret_hex).map(String.init).joined(separator: ",") + "]"
            #expect(try Keypair(solanaKeypairJSON: json).publicKey.base58 == vector.pubkey)
            #expect(try Keypair(secretKeyText: json).publicKey.base58 == vector.pubkey)
            #expect(try Keypair(secretKeyText: " " + vector.secret_base58 + "\n").publicKey.base58 == vector.pubkey)
            let message = hexBytes(vector.message_hex)
            let signature = fromSeed.sign(message)
            #expect(signature.base58 == vector.signature)
            #expect(signature.verify(message, publicKey: fromSeed.publicKey))
        }
    }

    @Test func createProgramAddressMatchesIncludingOnCurveRejections() throws {
        var rejected = 0
        for vector in vectors.create_program_address {
            let seeds = vector.seeds_hex.map(hexBytes)
            let program = PublicKey(vector: vector.program_id)
            if let expected = vector.address {
                #expect(try PublicKey.createProgramAddress(seeds: seeds, programID: program).base58 == expected)
            } else {
                rejected += 1
                #expect(throws: SolanaCoreError.self) { try PublicKey.createProgramAddress(seeds: seeds, programID: program) }
                do { _ = try PublicKey.createProgramAddress(seeds: seeds, programID: program) } catch {
                    #expect(error.code == .onCurve)
                }
            }
        }
        #expect(rejected > 0, "the vectors should include on-curve rejections")
    }

    @Test func findProgramAddressMatches() throws {
        #expect(!vectors.find_program_address.isEmpty)
        for vector in vectors.find_program_address {
            let found = try PublicKey.findProgramAddress(
                seeds: vector.seeds_hex.map(hexBytes), programID: PublicKey(vector: vector.program_id))
            #expect(found.address.base58 == vector.address)
            #expect(Int(found.bump) == vector.bump)
        }
    }

    @Test func messagesCompileAndRoundTrip() throws {
        #expect(vectors.messages.count >= 40)
        for (index, vector) in vectors.messages.enumerated() {
            let message = try compile(vector)
            let bytes = message.serialized()
            #expect(Hex.encode(bytes) == vector.serialized_hex, "message \(index)")
            let header = message.header
            #expect(
                [Int(header.numRequiredSignatures), Int(header.numReadonlySignedAccounts), Int(header.numReadonlyUnsignedAccounts)] == vector.header,
                "message \(index) header")
            #expect(message.staticAccountKeys.map(\.base58) == vector.account_keys, "message \(index) keys")
            let parsed = try VersionedMessage.deserialize(hexBytes(vector.serialized_hex))
            #expect(parsed == message, "message \(index) deserializes to what was compiled")
        }
    }

    @Test func transactionsSignAndRoundTrip() throws {
        #expect(vectors.transactions.count >= 30)
        for (index, vector) in vectors.transactions.enumerated() {
            let message = try compile(vectors.messages[vector.message_index])
            let signers = try vector.signer_seeds_hex.map { try Keypair(seed: hexBytes($0)) }
            let transaction = try Transaction(message: message, signers: signers)
            #expect(Hex.encode(transaction.serialized()) == vector.serialized_hex, "transaction \(index)")
            #expect(transaction.signatures.map(\.base58) == vector.signatures)
            let parsed = try Transaction.deserialize(hexBytes(vector.serialized_hex))
            #expect(parsed == transaction)
            #expect(parsed.verifySignatures())
        }
    }

    func compile(_ vector: ReferenceVectors.MessageCase) throws -> VersionedMessage {
        let instructions = vector.instructions.map {
            Instruction(programID: PublicKey(vector: $0.program_id), accounts: $0.accounts.map(\.meta), data: hexBytes($0.data_hex))
        }
        let payer = PublicKey(vector: vector.payer)
        let blockhash = try Blockhash(base58: vector.recent_blockhash)
        if vector.isLegacy {
            return .legacy(try LegacyMessage(payer: payer, instructions: instructions, recentBlockhash: blockhash))
        }
        let tables = vector.lookup_tables.map {
            AddressLookupTableAccount(key: PublicKey(vector: $0.key), addresses: $0.addresses.map { PublicKey(vector: $0) })
        }
        return .v0(try V0Message(payer: payer, instructions: instructions, addressLookupTables: tables, recentBlockhash: blockhash))
    }
}
