import Algorithms
public import SolanaCore

/// Where a node's ledger starts, asked with what it knows of some transactions, so that "the node does not know this
/// transaction" can be told from "the node no longer keeps the block it would be in".
extension SolanaRPCClient {
    /// `getSignatureStatuses` (searching the node's whole history) and `LedgerStart`'s calls in one JSON-RPC batch, so
    /// that the node that says what it knows of `signatures` also says where its ledger starts (more than 256
    /// signatures go as several status calls of the batch). `ledgerStart` is nil when the node's ledger is not known
    /// (`LedgerStart.slot`).
    public func statusesWithLedgerStart(
        _ signatures: [Signature]
    ) async throws(RPCError) -> (statuses: [SignatureStatus?], ledgerStart: UInt64?) {
        guard !signatures.isEmpty else { return ([], nil) }
        let chunks = Array(signatures.chunks(ofCount: Self.signatureStatusesPerCall))
        var calls: [(method: String, params: [JSONValue])] = chunks.map { chunk in
            ("getSignatureStatuses", [.array(chunk.map { .string($0.base58) }), ["searchTransactionHistory": .bool(true)]])
        }
        calls += LedgerStart.calls
        let answers = try await batch(calls, as: StatusesOrSlot.self)
        guard answers.count == calls.count else { throw RPCError(.invalidResponse, "the batch's answers do not match its calls") }
        var values: [StatusValue?] = []
        for (chunk, answer) in zip(chunks, answers) {
            guard case .statuses(let statuses)? = try answer.get(), statuses.value.count == chunk.count else {
                throw RPCError(.invalidResponse, "getSignatureStatuses did not answer one status per signature")
            }
            values += statuses.value
        }
        let firstAvailable: UInt64? = if case .success(.slot(let slot)?) = answers[calls.count - 2] { slot } else { nil }
        let listed: [UInt64]? = if case .success(.slots(let slots)?) = answers[calls.count - 1] { slots } else { nil }
        return (values.map { $0?.status }, LedgerStart.slot(firstAvailable: firstAvailable, listed: listed))
    }

    /// `getBlockTime`: when the block at `slot` was made (Unix seconds, as the cluster's votes put it); nil when the
    /// node has no time for it.
    public func blockTime(slot: UInt64) async throws(RPCError) -> Int64? {
        try await call("getBlockTime", [.int(Int64(clamping: slot))], as: Int64?.self)
    }

    /// An answer in the batch of `statusesWithLedgerStart`: the statuses, the first available block's slot, or the
    /// slots of the blocks listed.
    enum StatusesOrSlot: Decodable, Sendable {
        case statuses(WithContext<[StatusValue?]>)
        case slot(UInt64)
        case slots([UInt64])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let slot = try? container.decode(UInt64.self) {
                self = .slot(slot)
            } else if let slots = try? container.decode([UInt64].self) {
                self = .slots(slots)
            } else {
                self = .statuses(try container.decode(WithContext<[StatusValue?]>.self))
            }
        }
    }
}
