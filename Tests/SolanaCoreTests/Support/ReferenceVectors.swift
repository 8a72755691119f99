import Foundation
import SolanaCore

/// The solders reference vectors (`Vectors/vectors.json`, made by `Vectors/generate.py`), decoded.
struct ReferenceVectors: Decodable, Sendable {
    struct Base58Case: Decodable, Sendable {
        let hex: String
        let base58: String
    }
    struct KeypairCase: Decodable, Sendable {
        let seed_hex: String
        let secret_hex: String
        let secret_base58: String
        let pubkey: String
        let message_hex: String
        let signature: String
    }
    struct CreateProgramAddressCase: Decodable, Sendable {
        let program_id: String
        let seeds_hex: [String]
        let address: String?
    }
    struct FindProgramAddressCase: Decodable, Sendable {
        let program_id: String
        let seeds_hex: [String]
        let address: String
        let bump: Int
    }
    struct AssociatedTokenAddressCase: Decodable, Sendable {
        let wallet: String
        let mint: String
        let token_program: String
        let address: String
    }
    struct AccountCase: Decodable, Sendable {
        let pubkey: String
        let is_signer: Bool
        let is_writable: Bool
    }
    struct InstructionCase: Decodable, Sendable {
        let name: String
        let params: [String: VectorJSON]
        let program_id: String
        let accounts: [AccountCase]
        let data_hex: String
    }
    struct MessageInstruction: Decodable, Sendable {
        let program_id: String
        let accounts: [AccountCase]
        let data_hex: String
    }
    struct LookupTable: Decodable, Sendable {
        let key: String
        let addresses: [String]
    }
    struct MessageCase: Decodable, Sendable {
        let version: VectorJSON
        let payer: String
        let recent_blockhash: String
        let instructions: [MessageInstruction]
        let lookup_tables: [LookupTable]
        let serialized_hex: String
        let header: [Int]
        let account_keys: [String]
        var isLegacy: Bool { if case .string("legacy") = version { true } else { false } }
    }
    struct TransactionCase: Decodable, Sendable {
        let message_index: Int
        let signer_seeds_hex: [String]
        let serialized_hex: String
        let signatures: [String]
    }

    let generator: String
    let base58: [Base58Case]
    let keypairs: [KeypairCase]
    let create_program_address: [CreateProgramAddressCase]
    let find_program_address: [FindProgramAddressCase]
    let associated_token_addresses: [AssociatedTokenAddressCase]
    let instructions: [InstructionCase]
    let messages: [MessageCase]
    let transactions: [TransactionCase]

    static let shared: ReferenceVectors = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vectors/vectors.json")
        do {
            return try JSONDecoder().decode(ReferenceVectors.self, from: Data(contentsOf: url))
        } catch {
            // A missing or unreadable vectors file is a broken checkout, not a test outcome.
            preconditionFailure("cannot read \(url.path): \(error); regenerate with Tests/SolanaCoreTests/Vectors/generate.py")
        }
    }()

    var totalCount: Int {
        base58.count + keypairs.count + create_program_address.count + find_program_address.count
            + associated_token_addresses.count + instructions.count + messages.count + transactions.count
    }
}

/// A JSON value of any shape, for the free-form `params` of instruction vectors (integers as `Int128`, unlike
/// SolanaCore's `JSONValue`).
enum VectorJSON: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int128)
    case string(String)
    case array([VectorJSON])
    case object([String: VectorJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .int(Int128(value))
        } else if let value = try? container.decode(Int64.self) {
            self = .int(Int128(value))
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([VectorJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: VectorJSON].self))
        }
    }
}

/// The bytes of a vector's hex field (`Hex.decode`, checked by HexTests against Foundation); none for bad hex, which
/// then fails the comparison it feeds.
func hexBytes(_ hex: String) -> [UInt8] { Hex.decode(hex) ?? [] }

extension PublicKey {
    /// Test-only: a key from vector text that is known to be valid.
    init(vector text: String) { self = try! PublicKey(base58: text) }
}

extension ReferenceVectors.AccountCase {
    var meta: AccountMeta { AccountMeta(PublicKey(vector: pubkey), isSigner: is_signer, isWritable: is_writable) }
}
