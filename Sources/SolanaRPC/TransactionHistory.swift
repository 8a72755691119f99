package import Foundation
package import NIOCore
public import SolanaCore

extension SolanaRPCClient {
    /// `getTransaction` (base64, `maxSupportedTransactionVersion: 0`): the transaction with `signature`, or nil while
    /// the node has not seen it at `commitment` (at least confirmed).
    public func transaction(_ signature: Signature, commitment: Commitment = .confirmed) async throws(RPCError) -> FetchedTransaction? {
        try await transactions([signature], commitment: commitment)[0].get()
    }

    /// Several `getTransaction` calls in one JSON-RPC batch; each answer in its place (nil: not seen at
    /// `commitment`; a failure: that call's error, or a malformed answer). The answers are decoded straight from the
    /// bytes of the reply (`TransactionAnswer`), never through a JSON tree.
    public func transactions(
        _ signatures: [Signature], commitment: Commitment = .confirmed
    ) async throws(RPCError)
        -> [Result<FetchedTransaction?, RPCError>]
    {
        guard !signatures.isEmpty else { return [] }
        var addresses = AddressTextCache()
        let answers = try await decodedBatch(signatures.map { ("getTransaction", Self.transactionParams($0, commitment)) }) {
            parser throws(RPCError) in try TransactionAnswer.decode(&parser, addresses: &addresses)
        }
        return Self.matching(signatures, answers)
    }

    /// Each answer of a `getTransaction` batch, checked to carry the transaction it was asked for.
    static func matching(_ signatures: [Signature], _ answers: [Result<FetchedTransaction?, RPCError>]) -> [Result<FetchedTransaction?, RPCError>] {
        zip(signatures, answers).map { signature, answer in
            switch answer {
            case .failure(let error):
                return .failure(
                    error.code == .invalidResponse ? RPCError(.invalidResponse, "getTransaction \(signature.base58): \(error.message)") : error)
            case .success(nil): return .success(nil)
            case .success(let fetched?):
                guard fetched.signature == signature else {
                    return .failure(
                        RPCError(
                            .invalidResponse,
                            "getTransaction \(signature.base58): the answer carries another transaction (\(fetched.signature.base58))"))
                }
                return .success(fetched)
            }
        }
    }

    /// `[signature, {"commitment", "encoding": "base64", "maxSupportedTransactionVersion": 0}]`, written straight
    /// into JSON.
    static func transactionParams(_ signature: Signature, _ commitment: Commitment) -> RPCRequest.Params {
        var out: [UInt8] = []
        out.reserveCapacity(192)
        out.append(contentsOf: #"[""#.utf8)
        out.append(contentsOf: signature.base58.utf8)
        out.append(contentsOf: #"",{"commitment":""#.utf8)
        out.append(contentsOf: max(commitment, .confirmed).rawValue.utf8)
        out.append(contentsOf: #"","encoding":"base64","maxSupportedTransactionVersion":0}]"#.utf8)
        return .serialized(out)
    }
}

/// A `getTransaction` batch without the network, for the index benchmark's stage timings: the request body
/// `SolanaRPCClient.transactions` sends for some signatures, and the same reading of a reply to it.
package struct TransactionBatchCodec {
    let requests: [RPCRequest]
    let signatures: [Signature]

    package init(_ signatures: [Signature], commitment: Commitment = .confirmed) {
        self.signatures = signatures
        requests = signatures.enumerated().map { index, signature in
            RPCRequest(id: index + 1, method: "getTransaction", params: SolanaRPCClient.transactionParams(signature, commitment))
        }
    }

    package var requestBody: Data { RPCRequest.serialized(requests) }

    package func decode(_ reply: ByteBuffer) throws(RPCError) -> [Result<FetchedTransaction?, RPCError>] {
        var addresses = AddressTextCache()
        let answers = try SolanaRPCClient.decodeBatchReply(reply, requests: requests) { parser throws(RPCError) in
            try TransactionAnswer.decode(&parser, addresses: &addresses)
        }
        return SolanaRPCClient.matching(signatures, answers)
    }
}
