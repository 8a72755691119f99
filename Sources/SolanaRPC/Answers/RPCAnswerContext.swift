import Foundation
import SolanaCore

/// An account as `getAccountInfo` and `getMultipleAccounts` answer it (base64 encoding).
struct AccountValue: Decodable, Sendable {
    let lamports: UInt64
    let owner: String
    let data: [String]
    let executable: Bool

    /// The account; `invalidResponse` naming `method` and `key` when the owner or the data is malformed.
    func decoded(_ method: String, _ key: PublicKey) throws(RPCError) -> AccountInfo {
        guard let owner = try? PublicKey(base58: owner), data.count == 2, data[1] == "base64", let bytes = Data(base64Encoded: data[0]) else {
            throw RPCError(.invalidResponse, "\(method) returned a malformed account for \(key)")
        }
        return AccountInfo(lamports: lamports, owner: owner, data: Array(bytes), executable: executable)
    }
}

/// The `context` of an answer: the slot the node answered at.
struct Context: Decodable, Sendable { let slot: UInt64 }

/// An answer with its context (`{"context": {...}, "value": ...}`).
struct WithContext<Value: Decodable & Sendable>: Decodable, Sendable {
    let context: Context
    let value: Value
}
