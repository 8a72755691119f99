import Foundation
public import SolanaCore

extension SolanaRPCClient {
    /// `getLatestBlockhash`.
    public func latestBlockhash(commitment: Commitment = .confirmed) async throws(RPCError) -> LatestBlockhash {
        struct Value: Decodable, Sendable {
            let blockhash: String
            let lastValidBlockHeight: UInt64
        }
        let answer = try await call("getLatestBlockhash", [["commitment": .string(commitment.rawValue)]], as: WithContext<Value>.self)
        let blockhash: Blockhash
        do {
            blockhash = try Blockhash(base58: answer.value.blockhash)
        } catch {
            throw RPCError(.invalidResponse, "getLatestBlockhash returned a malformed blockhash: \(error.message)")
        }
        // Its block's height plus 150, and no block's height is above its slot: past that, the answer is not a
        // cluster's, and the sender would follow what it signs with it for ever.
        let (bound, overflow) = answer.context.slot.addingReportingOverflow(LatestBlockhash.maxProcessingAge)
        guard overflow || answer.value.lastValidBlockHeight <= bound else {
            throw RPCError(
                .invalidResponse,
                "getLatestBlockhash answered lastValidBlockHeight \(answer.value.lastValidBlockHeight) at slot \(answer.context.slot): a block height is never above its slot, so the endpoint is broken or hostile; use another endpoint"
            )
        }
        // Only an answer taken in every other respect moves the newest slot on.
        if let refusal = newestSlot.refusal(of: answer.context.slot) {
            throw RPCError(.invalidResponse, "getLatestBlockhash: \(refusal)")
        }
        return LatestBlockhash(blockhash: blockhash, lastValidBlockHeight: answer.value.lastValidBlockHeight, contextSlot: answer.context.slot)
    }

    /// `getSlot`: the newest slot at `commitment`. An answer leaping ahead of the client's earlier answers (this
    /// method's and `getLatestBlockhash`'s) is refused, as there.
    public func slot(commitment: Commitment = .confirmed) async throws(RPCError) -> UInt64 {
        let slot = try await call("getSlot", [["commitment": .string(commitment.rawValue)]], as: UInt64.self)
        if let refusal = newestSlot.refusal(of: slot) { throw RPCError(.invalidResponse, "getSlot: \(refusal)") }
        return slot
    }

    /// `getBlockHeight`.
    public func blockHeight(commitment: Commitment = .confirmed) async throws(RPCError) -> UInt64 {
        try await call("getBlockHeight", [["commitment": .string(commitment.rawValue)]], as: UInt64.self)
    }

    /// `getHealth`: returns when the node is healthy; a node behind the cluster answers with an `rpc` error
    /// whose message says by how many slots (Solana's -32005, "Node is behind by N slots").
    public func health() async throws(RPCError) {
        _ = try await call("getHealth", as: String.self)
    }

    /// `getGenesisHash`: tells which cluster the endpoint serves.
    public func genesisHash() async throws(RPCError) -> String {
        try await call("getGenesisHash", as: String.self)
    }

    /// `getMinimumBalanceForRentExemption`.
    public func minimumBalanceForRentExemption(space: Int) async throws(RPCError) -> UInt64 {
        try await call("getMinimumBalanceForRentExemption", [.int(Int64(space))], as: UInt64.self)
    }

    /// `getBalance`, in lamports.
    public func balance(_ key: PublicKey, commitment: Commitment = .confirmed) async throws(RPCError) -> UInt64 {
        try await call("getBalance", [.string(key.base58), ["commitment": .string(commitment.rawValue)]], as: WithContext<UInt64>.self).value
    }

    /// `getAccountInfo` (base64); nil when the account does not exist.
    public func accountInfo(_ key: PublicKey, commitment: Commitment = .confirmed) async throws(RPCError) -> AccountInfo? {
        let answer = try await call(
            "getAccountInfo", [.string(key.base58), ["encoding": "base64", "commitment": .string(commitment.rawValue)]],
            as: WithContext<AccountValue?>.self)
        return try answer.value.map { value throws(RPCError) in try value.decoded("getAccountInfo", key) }
    }

    /// `sendTransaction` (base64). `maxRetries: 0` leaves rebroadcasting to the caller, as a careful sender wants.
    public func sendTransaction(
        _ transaction: Transaction, skipPreflight: Bool = false, preflightCommitment: Commitment = .confirmed, maxRetries: Int? = 0
    ) async throws(RPCError) -> Signature {
        let params = Self.sendParams(transaction, skipPreflight: skipPreflight, preflightCommitment: preflightCommitment, maxRetries: maxRetries)
        let text = try await call("sendTransaction", params, as: String.self)
        guard let signature = try? Signature(base58: text) else {
            throw RPCError(.invalidResponse, "sendTransaction returned a malformed signature")
        }
        return signature
    }

    /// `simulateTransaction` (base64). With `replaceRecentBlockhash` the node uses its latest blockhash, and the
    /// signatures are not checked.
    public func simulateTransaction(
        _ transaction: Transaction, replaceRecentBlockhash: Bool = true, commitment: Commitment = .confirmed
    ) async throws(RPCError) -> SimulationResult {
        struct Value: Decodable, Sendable {
            let err: JSONValue?
            let logs: [String]?
            let unitsConsumed: UInt64?
        }
        let answer = try await call(
            "simulateTransaction",
            [
                .string(Data(transaction.serialized()).base64EncodedString()),
                [
                    "encoding": "base64", "sigVerify": .bool(false), "replaceRecentBlockhash": .bool(replaceRecentBlockhash),
                    "commitment": .string(commitment.rawValue),
                ],
            ], as: WithContext<Value>.self)
        return SimulationResult(error: answer.value.err, logs: answer.value.logs ?? [], unitsConsumed: answer.value.unitsConsumed)
    }

    /// `getRecentPrioritizationFees` for transactions that write `accounts`: the fee per compute unit
    /// (micro-lamports) paid in each recent slot.
    public func recentPrioritizationFees(accounts: [PublicKey]) async throws(RPCError) -> [UInt64] {
        struct Entry: Decodable, Sendable {
            let slot: UInt64
            let prioritizationFee: UInt64
        }
        return try await call("getRecentPrioritizationFees", [.array(accounts.map { .string($0.base58) })], as: [Entry].self)
            .map(\.prioritizationFee)
    }
}

extension SolanaRPCClient {
    /// `getSignaturesForAddress`: newest first, at most `limit` (≤ 1000), older than `before`, newer than `until`.
    public func signaturesForAddress(
        _ address: PublicKey, before: Signature? = nil, until: Signature? = nil, limit: Int = 1000, commitment: Commitment = .confirmed
    ) async throws(RPCError) -> [SignatureInfo] {
        let params = Self.signaturesParams(address, before: before, until: until, limit: limit, commitment: commitment)
        return try Self.signatureInfos(try await decodedBatch([("getSignaturesForAddress", params)], decode: Self.signatureInfos))[0].get()
    }

    /// Several addresses' newest signatures (each newer than its `until`, at most `limit`) in one JSON-RPC batch: how
    /// a poller asks after many quiet addresses at once. Each answer in its place; one call's error does not fail the
    /// others.
    public func signaturesForAddresses(
        _ queries: [(address: PublicKey, until: Signature?)], limit: Int = 1000, commitment: Commitment = .confirmed
    ) async throws(RPCError) -> [Result<[SignatureInfo], RPCError>] {
        guard !queries.isEmpty else { return [] }
        let calls = Self.firstPageCalls(queries, limit: limit, commitment: commitment)
        return Self.signatureInfos(try await decodedBatch(calls, decode: Self.signatureInfos))
    }

    /// `signaturesForAddresses`, and with `ledgerStart` `LedgerStart`'s calls in the same batch, so that the node that
    /// lists the pages also says where its ledger starts. Its answer is nil when not asked, or when the node's ledger
    /// is not known (`LedgerStart.slot`).
    public func signaturesForAddresses(
        _ queries: [(address: PublicKey, until: Signature?)], limit: Int = 1000, commitment: Commitment = .confirmed, ledgerStart: Bool
    ) async throws(RPCError) -> (pages: [Result<[SignatureInfo], RPCError>], ledgerStart: UInt64?) {
        guard ledgerStart, !queries.isEmpty else {
            return (try await signaturesForAddresses(queries, limit: limit, commitment: commitment), nil)
        }
        var calls = Self.firstPageCalls(queries, limit: limit, commitment: commitment)
        calls += LedgerStart.calls
        let answers = try await decodedBatch(calls) { parser throws(RPCError) in
            try Self.entriesOrValue(&parser, valueOf: "the ledger start")
        }
        guard answers.count == calls.count else { throw RPCError(.invalidResponse, "the batch's answers do not match its calls") }
        let pages = answers.dropLast(LedgerStart.calls.count).map { answer in
            answer.flatMap { entries -> Result<[SignatureInfo], RPCError> in
                guard case .entries(let entries)? = entries else {
                    return .failure(RPCError(.invalidResponse, "getSignaturesForAddress did not answer an array of entries"))
                }
                return .success(entries)
            }
        }
        let firstAvailable: UInt64? = if case .success(.value(let slot)?) = answers[calls.count - 2] { slot.uint64 } else { nil }
        let listed: [UInt64]? =
            switch answers[calls.count - 1] {
            case .success(.entries(let entries)?) where entries.isEmpty: []
            case .success(.value(.array(let slots))?): slots.allSatisfy { $0.uint64 != nil } ? slots.compactMap(\.uint64) : nil
            default: nil
            }
        return (pages, LedgerStart.slot(firstAvailable: firstAvailable, listed: listed))
    }

    /// What one node says about the history of `address` older than `anchor`: its entries (at most `limit`), and
    /// whether the node knows `anchor` at all (`getSignatureStatuses`, searching its whole history). Both calls go in
    /// one JSON-RPC batch, so one node answers them: an empty list means the history ends at `anchor` only when that
    /// node knows it.
    public func signatures(
        of address: PublicKey, olderThan anchor: Signature, limit: Int, commitment: Commitment = .confirmed
    ) async throws(RPCError) -> (older: [SignatureInfo], anchorKnown: Bool) {
        let calls: [(method: String, params: [JSONValue])] = [
            ("getSignaturesForAddress", Self.signaturesParams(address, before: anchor, until: nil, limit: limit, commitment: commitment)),
            ("getSignatureStatuses", [.array([.string(anchor.base58)]), ["searchTransactionHistory": .bool(true)]]),
        ]
        let answers = try await decodedBatch(calls) { parser throws(RPCError) in
            try Self.entriesOrValue(&parser, valueOf: "getSignatureStatuses")
        }
        guard answers.count == 2, case .entries(let older)? = try answers[0].get() else {
            throw RPCError(.invalidResponse, "getSignaturesForAddress did not answer an array of entries")
        }
        guard case .value(let statuses)? = try answers[1].get(), case .array(let values)? = statuses["value"], values.count == 1 else {
            throw RPCError(.invalidResponse, "getSignatureStatuses did not answer one status for one signature")
        }
        switch values[0] {
        case .null: return (older, false)
        case .object: return (older, true)
        default: throw RPCError(.invalidResponse, "getSignatureStatuses answered a status that is neither an object nor null")
        }
    }

    /// An answer in a batch of `getSignaturesForAddress` calls and one call of another method.
    enum EntriesOrValue {
        case entries([SignatureInfo])
        case value(JSONValue)
    }

    /// Reads one answer of such a batch: an array of objects (or an empty one) is a list of entries, anything else
    /// (an array of slots among them) another method's value.
    static func entriesOrValue(_ parser: inout JSONParser, valueOf method: String) throws(RPCError) -> EntriesOrValue {
        parser.skipWhitespace()
        if parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "[") {
            var inside = parser
            inside.index += 1
            inside.skipWhitespace()
            if inside.index >= inside.bytes.count || [UInt8(ascii: "{"), UInt8(ascii: "]")].contains(inside.bytes[inside.index]) {
                return .entries(try signatureInfos(&parser))
            }
        }
        do throws(JSONParser.Failure) { return .value(try parser.readValue()) } catch {
            throw RPCError(.invalidResponse, "\(method): \(error)")
        }
    }

    /// The `getSignaturesForAddress` calls of first pages: each address's newest signatures, newer than its `until`.
    static func firstPageCalls(
        _ queries: [(address: PublicKey, until: Signature?)], limit: Int, commitment: Commitment
    ) -> [(method: String, params: [JSONValue])] {
        queries.map { query in
            (
                method: "getSignaturesForAddress",
                params: signaturesParams(query.address, before: nil, until: query.until, limit: limit, commitment: commitment)
            )
        }
    }

    static func signaturesParams(
        _ address: PublicKey, before: Signature?, until: Signature?, limit: Int, commitment: Commitment
    ) -> [JSONValue] {
        var config: [String: JSONValue] = ["limit": .int(Int64(limit)), "commitment": .string(commitment.rawValue)]
        if let before { config["before"] = .string(before.base58) }
        if let until { config["until"] = .string(until.base58) }
        return [.string(address.base58), .object(config)]
    }

    /// Each answer's entries; a null answer is refused.
    static func signatureInfos(_ answers: [Result<[SignatureInfo]?, RPCError>]) -> [Result<[SignatureInfo], RPCError>] {
        answers.map { answer in
            answer.flatMap { entries in
                entries.map { .success($0) }
                    ?? .failure(RPCError(.invalidResponse, "getSignaturesForAddress returned null, not an array of entries"))
            }
        }
    }

    /// The entries of a `getSignaturesForAddress` answer (its `result`, a JSON array), for the index benchmark's
    /// stage timings.
    package static func signatureInfos(answer: UnsafeBufferPointer<UInt8>) throws(RPCError) -> [SignatureInfo] {
        var failure: RPCError?
        do throws(JSONParser.Failure) {
            return try JSONParser.reading(answer) { parser throws(JSONParser.Failure) in
                do throws(RPCError) { return try signatureInfos(&parser) } catch {
                    failure = error
                    throw JSONParser.Failure(offset: parser.index, reason: error.message)
                }
            }
        } catch {
            throw failure ?? RPCError(.invalidResponse, error.description)
        }
    }

    /// The entries of the `getSignaturesForAddress` answer `parser` is at.
    static func signatureInfos(_ parser: inout JSONParser) throws(RPCError) -> [SignatureInfo] {
        var result: [SignatureInfo] = []
        var problem = "a malformed answer"
        do throws(JSONParser.Failure) {
            try parser.elements { parser throws(JSONParser.Failure) in
                var signature: Signature?
                var slot: UInt64?
                var error: JSONValue?
                var memo: String?
                var blockTime: Int64?
                var status: Commitment?
                try parser.members { parser, name throws(JSONParser.Failure) in
                    if name == "signature" {
                        let at = parser.index
                        signature = try parser.readString { utf8 throws(JSONParser.Failure) in
                            guard let signature = Signature(base58UTF8: utf8) else {
                                problem = "a malformed signature"
                                throw JSONParser.Failure(offset: at, reason: "not a signature")
                            }
                            return signature
                        }
                    } else if name == "slot" {
                        problem = "an entry with a malformed slot"
                        slot = try parser.readUInt64()
                    } else if name == "err" {
                        let value = try parser.readValue()
                        error = value == .null ? nil : value
                    } else if name == "memo" {
                        memo = try parser.readNull() ? nil : try parser.readString()
                    } else if name == "blockTime" {
                        blockTime = try parser.readNull() ? nil : try parser.readInt64()
                    } else if name == "confirmationStatus" {
                        status = try parser.readNull() ? nil : Commitment(rawValue: try parser.readString())
                    } else {
                        try parser.skipValue()
                    }
                }
                guard let signature else {
                    problem = "an entry without a signature"
                    throw parser.failure(problem)
                }
                guard let slot else {
                    problem = "an entry without a slot"
                    throw parser.failure(problem)
                }
                result.append(
                    SignatureInfo(
                        signature: signature, slot: slot, error: error, memo: memo, blockTime: blockTime, confirmationStatus: status))
            }
        } catch {
            throw RPCError(.invalidResponse, "getSignaturesForAddress returned \(problem) (\(error))")
        }
        return result
    }
}
