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

/// Decodes `getTransaction`'s answer (base64 encoding) straight from the reply's bytes into a `FetchedTransaction`,
/// reading only the fields the indexer uses and skipping the rest; a missing or malformed field throws
/// `invalidResponse` naming it.
enum TransactionAnswer {
    /// Decodes the `result` `parser` is at. The transaction's own first signature is the answer's `signature`; the
    /// caller checks it is the one asked for. A malformed answer throws `invalidResponse` saying what is wrong (the
    /// caller names the signature).
    static func decode(_ parser: inout JSONParser) throws(RPCError) -> FetchedTransaction {
        var addresses = AddressTextCache()
        return try decode(&parser, addresses: &addresses)
    }

    /// `decode`, with the addresses of the token balances and lookup tables read through `addresses` (shared by the
    /// answers of one batch, whose keys recur: the mint, the token programs, the holders).
    static func decode(_ parser: inout JSONParser, addresses: inout AddressTextCache) throws(RPCError) -> FetchedTransaction {
        func malformed(_ what: String) -> RPCError { RPCError(.invalidResponse, what) }
        var field = "result"
        var slot: UInt64?
        var blockTime: Int64?
        var wire: [UInt8]?
        var err: JSONValue?
        var fee: UInt64?
        var preBalances: [UInt64]?
        var postBalances: [UInt64]?
        var hasMeta = false
        var preTokenBalances: [TokenBalance] = []
        var postTokenBalances: [TokenBalance] = []
        var inner: [InnerInstructions] = []
        var logMessages: LogLines?
        var writable: [PublicKey] = []
        var readonly: [PublicKey] = []
        var computeUnits: UInt64?
        var problem: String?

        func key(_ parser: inout JSONParser) throws(JSONParser.Failure) -> PublicKey {
            let at = parser.index
            return try parser.readString { utf8 throws(JSONParser.Failure) in
                guard let key = addresses.key(utf8) else {
                    problem = "\(String(decoding: utf8, as: UTF8.self)) is not an address"
                    throw JSONParser.Failure(offset: at, reason: "not an address")
                }
                return key
            }
        }
        func unsignedList(_ parser: inout JSONParser) throws(JSONParser.Failure) -> [UInt64] {
            var list: [UInt64] = []
            try parser.elements { parser throws(JSONParser.Failure) in list.append(try parser.readUInt64()) }
            return list
        }
        func index(_ parser: inout JSONParser) throws(JSONParser.Failure) -> Int {
            let value = try parser.readUInt64()
            guard value <= UInt64(UInt16.max) else { throw JSONParser.Failure(offset: parser.index, reason: "an index out of range") }
            return Int(value)
        }
        func tokenBalances(_ parser: inout JSONParser) throws(JSONParser.Failure) -> [TokenBalance] {
            var list: [TokenBalance] = []
            if try parser.readNull() { return list }
            try parser.elements { parser throws(JSONParser.Failure) in
                var accountIndex: Int?
                var mint: PublicKey?
                var owner: PublicKey?
                var program: PublicKey?
                var amount: UInt64?
                var decimals: UInt64?
                try parser.members { parser, name throws(JSONParser.Failure) in
                    if name == "accountIndex" {
                        accountIndex = try index(&parser)
                    } else if name == "mint" {
                        mint = try key(&parser)
                    } else if name == "owner" {
                        owner = try parser.readNull() ? nil : try key(&parser)
                    } else if name == "programId" {
                        program = try parser.readNull() ? nil : try key(&parser)
                    } else if name == "uiTokenAmount" {
                        try parser.members { parser, name throws(JSONParser.Failure) in
                            if name == "amount" {
                                let at = parser.index
                                amount = try parser.readString { utf8 throws(JSONParser.Failure) in
                                    var inner = JSONParser(utf8)
                                    guard let value = try? inner.readUInt64(), inner.index == utf8.count else {
                                        problem = "token amount \(String(decoding: utf8, as: UTF8.self)) is not a u64"
                                        throw JSONParser.Failure(offset: at, reason: "not a u64")
                                    }
                                    return value
                                }
                            } else if name == "decimals" {
                                decimals = try parser.readUInt64()
                            } else {
                                try parser.skipValue()
                            }
                        }
                    } else {
                        try parser.skipValue()
                    }
                }
                guard let accountIndex, let mint, let amount, let decimals, decimals <= 255 else {
                    throw JSONParser.Failure(offset: parser.index, reason: "a token balance without accountIndex, mint or uiTokenAmount")
                }
                list.append(
                    TokenBalance(
                        accountIndex: accountIndex, mint: mint, owner: owner, programID: program, amount: amount, decimals: UInt8(decimals)))
            }
            return list
        }

        do throws(JSONParser.Failure) {
            try parser.members { parser, name throws(JSONParser.Failure) in
                if name == "slot" {
                    field = "slot"
                    slot = try parser.readUInt64()
                } else if name == "blockTime" {
                    field = "blockTime"
                    blockTime = try parser.readNull() ? nil : try parser.readInt64()
                } else if name == "transaction" {
                    field = "transaction"
                    var part = 0
                    try parser.elements { parser throws(JSONParser.Failure) in
                        part += 1
                        if part == 1 {
                            wire = try parser.readString { utf8 throws(JSONParser.Failure) in
                                Data(base64Encoded: Data(UnsafeRawBufferPointer(utf8))).map(Array.init)
                            }
                        } else {
                            let encoding = try parser.readString()
                            guard part == 2, encoding == "base64" else { throw parser.failure("the transaction is not [base64, \"base64\"]") }
                        }
                    }
                    guard part == 2 else { throw parser.failure("the transaction is not [base64, \"base64\"]") }
                } else if name == "meta" {
                    field = "meta"
                    if try parser.readNull() { return }
                    hasMeta = true
                    try parser.members { parser, name throws(JSONParser.Failure) in
                        if name == "err" {
                            field = "meta.err"
                            let value = try parser.readValue()
                            err = value == .null ? nil : value
                        } else if name == "fee" {
                            field = "meta.fee"
                            fee = try parser.readUInt64()
                        } else if name == "preBalances" {
                            field = "meta.preBalances"
                            preBalances = try unsignedList(&parser)
                        } else if name == "postBalances" {
                            field = "meta.postBalances"
                            postBalances = try unsignedList(&parser)
                        } else if name == "preTokenBalances" {
                            field = "meta.preTokenBalances"
                            preTokenBalances = try tokenBalances(&parser)
                        } else if name == "postTokenBalances" {
                            field = "meta.postTokenBalances"
                            postTokenBalances = try tokenBalances(&parser)
                        } else if name == "innerInstructions" {
                            field = "meta.innerInstructions"
                            if try parser.readNull() { return }
                            try parser.elements { parser throws(JSONParser.Failure) in
                                var group: Int?
                                var instructions: [InnerInstruction] = []
                                try parser.members { parser, name throws(JSONParser.Failure) in
                                    if name == "index" {
                                        group = try index(&parser)
                                    } else if name == "instructions" {
                                        try parser.elements { parser throws(JSONParser.Failure) in
                                            var program: Int?
                                            var accounts: [Int]?
                                            var data: [UInt8]?
                                            var stackHeight: Int?
                                            try parser.members { parser, name throws(JSONParser.Failure) in
                                                if name == "programIdIndex" {
                                                    program = try index(&parser)
                                                } else if name == "accounts" {
                                                    var list: [Int] = []
                                                    try parser.elements { parser throws(JSONParser.Failure) in list.append(try index(&parser)) }
                                                    accounts = list
                                                } else if name == "data" {
                                                    let at = parser.index
                                                    data = try parser.readString { utf8 throws(JSONParser.Failure) in
                                                        guard let bytes = try? Base58.decode(utf8) else {
                                                            problem = "inner instruction data is not base58"
                                                            throw JSONParser.Failure(offset: at, reason: "not base58")
                                                        }
                                                        return bytes
                                                    }
                                                } else if name == "stackHeight" {
                                                    stackHeight = try parser.readNull() ? nil : try index(&parser)
                                                } else {
                                                    try parser.skipValue()
                                                }
                                            }
                                            guard let program, let accounts, let data else {
                                                throw parser.failure("an inner instruction without programIDIndex, accounts or data")
                                            }
                                            instructions.append(
                                                InnerInstruction(programIDIndex: program, accounts: accounts, data: data, stackHeight: stackHeight))
                                        }
                                    } else {
                                        try parser.skipValue()
                                    }
                                }
                                guard let group else { throw parser.failure("inner instructions without an index") }
                                inner.append(InnerInstructions(index: group, instructions: instructions))
                            }
                        } else if name == "logMessages" {
                            field = "meta.logMessages"
                            if try parser.readNull() { return }
                            var lines = LogLines()
                            try parser.elements { parser throws(JSONParser.Failure) in
                                try parser.readString { utf8 throws(JSONParser.Failure) in lines.append(utf8) }
                            }
                            logMessages = lines
                        } else if name == "loadedAddresses" {
                            field = "meta.loadedAddresses"
                            if try parser.readNull() { return }
                            try parser.members { parser, name throws(JSONParser.Failure) in
                                if name == "writable" {
                                    try parser.elements { parser throws(JSONParser.Failure) in writable.append(try key(&parser)) }
                                } else if name == "readonly" {
                                    try parser.elements { parser throws(JSONParser.Failure) in readonly.append(try key(&parser)) }
                                } else {
                                    try parser.skipValue()
                                }
                            }
                        } else if name == "computeUnitsConsumed" {
                            field = "meta.computeUnitsConsumed"
                            computeUnits = try parser.readNull() ? nil : try parser.readUInt64()
                        } else {
                            try parser.skipValue()
                        }
                    }
                } else {
                    try parser.skipValue()
                }
            }
        } catch {
            throw malformed(problem ?? "the answer's \(field) is malformed (\(error))")
        }
        guard let slot else { throw malformed("the answer has no slot") }
        guard hasMeta else { throw malformed("the answer has no meta (the node does not keep transaction status)") }
        guard let wire else { throw malformed("the transaction is not [base64, \"base64\"]") }
        guard let fee, let preBalances, let postBalances else { throw malformed("the answer's meta has no fee or balances") }
        let decoded: Transaction
        do { decoded = try Transaction.deserialize(wire) } catch { throw malformed("the transaction does not parse: \(error.message)") }
        let meta = TransactionStatusMeta(
            error: err, fee: fee, preBalances: preBalances, postBalances: postBalances, preTokenBalances: preTokenBalances,
            postTokenBalances: postTokenBalances, innerInstructions: inner, logMessages: logMessages, loadedWritable: writable,
            loadedReadonly: readonly, computeUnitsConsumed: computeUnits)
        guard let signature = decoded.signatures.first else { throw malformed("the transaction has no signature") }
        let fetched = FetchedTransaction(signature: signature, slot: slot, blockTime: blockTime, transaction: decoded, meta: meta)
        guard preBalances.count == fetched.accountKeys.count, postBalances.count == fetched.accountKeys.count else {
            throw malformed("\(preBalances.count) balances for \(fetched.accountKeys.count) accounts")
        }
        return fetched
    }
}

/// Addresses decoded from base58 text lately, by their text: the keys that recur through a batch of `getTransaction`
/// answers (the mint and the token programs in every token balance, the holders before and after) are decoded once
/// instead of each time (a decode is a schoolbook base conversion). A small table indexed by a hash of the text; a
/// slot holds the last text that landed in it, compared in full before its key is used.
struct AddressTextCache {
    static let slots = 256
    static let width = 44  // the longest base58 text of 32 bytes
    private var texts = [UInt8](repeating: 0, count: slots * width)
    private var lengths = [UInt8](repeating: 0, count: slots)
    private var keys = [PublicKey](repeating: .zero, count: slots)

    /// The address `utf8` is the base58 text of, or nil when it is not one.
    mutating func key(_ utf8: UnsafeBufferPointer<UInt8>) -> PublicKey? {
        guard utf8.count >= 16, utf8.count <= Self.width, let base = utf8.baseAddress else { return PublicKey(base58UTF8: utf8) }
        let word = UnsafeRawPointer(base + 8).loadUnaligned(as: UInt64.self) ^ UInt64(utf8.count)
        let slot = Int(truncatingIfNeeded: (word &* 0x9E37_79B9_7F4A_7C15) >> 56)
        let offset = slot * Self.width
        let hit =
            lengths[slot] == UInt8(utf8.count)
            && texts.withUnsafeBufferPointer { texts in
                memcmp(texts.baseAddress! + offset, base, utf8.count) == 0
            }
        if hit { return keys[slot] }
        guard let key = PublicKey(base58UTF8: utf8) else { return nil }
        texts.withUnsafeMutableBufferPointer { texts in
            for index in 0..<utf8.count { texts[offset + index] = utf8[index] }
        }
        lengths[slot] = UInt8(utf8.count)
        keys[slot] = key
        return key
    }
}
