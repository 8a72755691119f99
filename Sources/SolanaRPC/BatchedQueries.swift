import Algorithms
import Foundation
public import SolanaCore

/// Methods that take many keys, signatures or transactions at once: a node's limit per call is kept by splitting the
/// work into several calls of one JSON-RPC batch, and the answers come back in the order asked.
extension SolanaRPCClient {
    /// The most signatures a node takes in one `getSignatureStatuses` call.
    public static let signatureStatusesPerCall = 256
    /// The most keys a node takes in one `getMultipleAccounts` call.
    public static let accountsPerCall = 100

    /// A status as `getSignatureStatuses` answers it.
    struct StatusValue: Decodable, Sendable {
        let slot: UInt64
        let confirmations: UInt64?
        let err: JSONValue?
        let confirmationStatus: Commitment?

        /// The status it says.
        var status: SignatureStatus {
            SignatureStatus(slot: slot, confirmations: confirmations, error: err, confirmationStatus: confirmationStatus)
        }
    }

    /// `getSignatureStatuses`: one entry per signature, in order, nil when the node does not know it. With
    /// `searchTransactionHistory` the node looks beyond its recent status cache. More than 256 signatures go as several
    /// calls in one JSON-RPC batch.
    public func signatureStatuses(
        _ signatures: [Signature], searchTransactionHistory: Bool = true
    ) async throws(RPCError)
        -> [SignatureStatus?]
    {
        let values = try await chunkedQuery(
            signatures, per: Self.signatureStatusesPerCall, method: "getSignatureStatuses", as: StatusValue?.self
        ) { chunk in
            [.array(chunk.map { .string($0.base58) }), ["searchTransactionHistory": .bool(searchTransactionHistory)]]
        }
        return values.map { $0?.status }
    }

    /// `getMultipleAccounts` (base64): each key's account, in order, nil where there is none. More than 100 keys go as
    /// several calls in one JSON-RPC batch.
    public func multipleAccounts(_ keys: [PublicKey], commitment: Commitment = .confirmed) async throws(RPCError) -> [AccountInfo?] {
        let values = try await chunkedQuery(keys, per: Self.accountsPerCall, method: "getMultipleAccounts", as: AccountValue?.self) { chunk in
            [.array(chunk.map { .string($0.base58) }), ["encoding": "base64", "commitment": .string(commitment.rawValue)]]
        }
        var accounts: [AccountInfo?] = []
        accounts.reserveCapacity(keys.count)
        for (key, value) in zip(keys, values) {
            accounts.append(try value.map { value throws(RPCError) in try value.decoded("getMultipleAccounts", key) })
        }
        return accounts
    }

    /// `sendTransaction` for several transactions in one JSON-RPC batch (base64, `maxRetries: 0`: rebroadcasting is
    /// the caller's): each answer in its place. A failed preflight is that transaction's `rpc` error, its `data`
    /// holding the node's `err` and `logs`; an answer naming another signature than the transaction's is
    /// `invalidResponse`.
    public func sendTransactions(
        _ sends: [(transaction: Transaction, skipPreflight: Bool)], preflightCommitment: Commitment = .confirmed
    ) async throws(RPCError) -> [Result<Signature, RPCError>] {
        guard !sends.isEmpty else { return [] }
        let calls = sends.map { send in
            (
                method: "sendTransaction",
                params: Self.sendParams(send.transaction, skipPreflight: send.skipPreflight, preflightCommitment: preflightCommitment, maxRetries: 0)
            )
        }
        return zip(sends, try await batch(calls)).map { send, answer in
            answer.flatMap { value in
                guard case .string(let text) = value, let signature = try? Signature(base58: text) else {
                    return .failure(RPCError(.invalidResponse, "sendTransaction returned a malformed signature"))
                }
                guard signature == send.transaction.signatures.first else {
                    return .failure(
                        RPCError(
                            .invalidResponse, "sendTransaction returned \(signature.base58), not the transaction's own signature"))
                }
                return .success(signature)
            }
        }
    }

    /// `sendTransaction`'s parameters: the transaction in base64 and its config.
    static func sendParams(_ transaction: Transaction, skipPreflight: Bool, preflightCommitment: Commitment, maxRetries: Int?) -> [JSONValue] {
        var config: [String: JSONValue] = [
            "encoding": "base64", "skipPreflight": .bool(skipPreflight), "preflightCommitment": .string(preflightCommitment.rawValue),
        ]
        if let maxRetries { config["maxRetries"] = .int(Int64(maxRetries)) }
        return [.string(Data(transaction.serialized()).base64EncodedString()), .object(config)]
    }

    /// A query over `items` that a node answers per item, `per` items a call at most: one call, or one batch of
    /// several; the answers' values, in order. An answer whose value list does not have one entry per item asked
    /// for is `invalidResponse`.
    private func chunkedQuery<Item, Value: Decodable & Sendable>(
        _ items: [Item], per size: Int, method: String, as: Value.Type, params: (ArraySlice<Item>) -> [JSONValue]
    ) async throws(RPCError) -> [Value] {
        guard !items.isEmpty else { return [] }
        let chunks = Array(items.chunks(ofCount: size))
        var answers: [WithContext<[Value]>] = []
        if chunks.count == 1 {
            answers = [try await call(method, params(chunks[0]), as: WithContext<[Value]>.self)]
        } else {
            for answer in try await batch(chunks.map { (method: method, params: params($0)) }, as: WithContext<[Value]>.self) {
                guard let answer = try answer.get() else { throw RPCError(.invalidResponse, "\(method) returned null") }
                answers.append(answer)
            }
        }
        var values: [Value] = []
        values.reserveCapacity(items.count)
        for (chunk, answer) in zip(chunks, answers) {
            guard answer.value.count == chunk.count else {
                throw RPCError(.invalidResponse, "\(method) returned \(answer.value.count) entries for \(chunk.count) asked for")
            }
            values += answer.value
        }
        return values
    }
}
