public import SolanaCore
import Foundation

/// A landed transaction as `getTransaction` returns it (base64 encoding, decoded here by hand; `jsonParsed` is never
/// used): the signed transaction, where and when it landed, and what it did. The indexer reads movements from it.
public struct FetchedTransaction: Sendable, Hashable {
    public var signature: Signature
    public var slot: UInt64
    /// Unix seconds, when the node knows it.
    public var blockTime: Int64?
    public var transaction: Transaction
    public var meta: TransactionStatusMeta

    public init(signature: Signature, slot: UInt64, blockTime: Int64?, transaction: Transaction, meta: TransactionStatusMeta) {
        self.signature = signature
        self.slot = slot
        self.blockTime = blockTime
        self.transaction = transaction
        self.meta = meta
    }

    /// Every account the instructions refer to by index: the message's keys, then the addresses loaded from lookup
    /// tables (writable, then read-only), as the runtime orders them.
    public var accountKeys: [PublicKey] { transaction.message.staticAccountKeys + meta.loadedWritable + meta.loadedReadonly }
}

/// What a transaction did, as the node recorded it (`meta` of `getTransaction`).
public struct TransactionStatusMeta: Sendable, Hashable {
    /// The transaction's error (the node's JSON form, such as `{"InstructionError":[1,{"Custom":1}]}`), nil when it
    /// succeeded. A failed transaction still paid its fee and moved nothing else.
    public var error: JSONValue?
    public var fee: UInt64
    /// Lamports of every account (in `FetchedTransaction.accountKeys` order) before and after.
    public var preBalances: [UInt64]
    public var postBalances: [UInt64]
    /// Token accounts' balances before and after: the transaction's token accounts that existed at that moment.
    public var preTokenBalances: [TokenBalance]
    public var postTokenBalances: [TokenBalance]
    /// The instructions programs invoked, by the top-level instruction that invoked them.
    public var innerInstructions: [InnerInstructions]
    public var logMessages: [String]?
    public var loadedWritable: [PublicKey]
    public var loadedReadonly: [PublicKey]
    public var computeUnitsConsumed: UInt64?

    public init(
        error: JSONValue? = nil, fee: UInt64, preBalances: [UInt64], postBalances: [UInt64], preTokenBalances: [TokenBalance] = [],
        postTokenBalances: [TokenBalance] = [], innerInstructions: [InnerInstructions] = [], logMessages: [String]? = nil,
        loadedWritable: [PublicKey] = [], loadedReadonly: [PublicKey] = [], computeUnitsConsumed: UInt64? = nil
    ) {
        self.error = error
        self.fee = fee
        self.preBalances = preBalances
        self.postBalances = postBalances
        self.preTokenBalances = preTokenBalances
        self.postTokenBalances = postTokenBalances
        self.innerInstructions = innerInstructions
        self.logMessages = logMessages
        self.loadedWritable = loadedWritable
        self.loadedReadonly = loadedReadonly
        self.computeUnitsConsumed = computeUnitsConsumed
    }
}

/// A token account's balance in a transaction's meta.
public struct TokenBalance: Sendable, Hashable {
    /// The token account, as an index into `FetchedTransaction.accountKeys`.
    public var accountIndex: Int
    public var mint: PublicKey
    public var owner: PublicKey?
    /// The token program that owns the account (Token or Token-2022).
    public var programID: PublicKey?
    /// Base units.
    public var amount: UInt64
    public var decimals: UInt8

    public init(accountIndex: Int, mint: PublicKey, owner: PublicKey?, programID: PublicKey?, amount: UInt64, decimals: UInt8) {
        self.accountIndex = accountIndex
        self.mint = mint
        self.owner = owner
        self.programID = programID
        self.amount = amount
        self.decimals = decimals
    }
}

/// The instructions invoked (through CPI) while one top-level instruction ran.
public struct InnerInstructions: Sendable, Hashable {
    /// The top-level instruction's index in the message.
    public var index: Int
    public var instructions: [InnerInstruction]

    public init(index: Int, instructions: [InnerInstruction]) {
        self.index = index
        self.instructions = instructions
    }
}

/// One invoked instruction: program and accounts as indexes into `FetchedTransaction.accountKeys`.
public struct InnerInstruction: Sendable, Hashable {
    public var programIdIndex: Int
    public var accounts: [Int]
    public var data: [UInt8]
    /// The invocation depth (2 for an instruction a top-level one invoked), when the node reports it.
    public var stackHeight: Int?

    public init(programIdIndex: Int, accounts: [Int], data: [UInt8], stackHeight: Int? = nil) {
        self.programIdIndex = programIdIndex
        self.accounts = accounts
        self.data = data
        self.stackHeight = stackHeight
    }
}

extension SolanaRPCClient {
    /// `getTransaction` (base64, `maxSupportedTransactionVersion: 0`): the transaction with `signature`, or nil while
    /// the node has not seen it at `commitment` (at least confirmed).
    public func transaction(_ signature: Signature, commitment: Commitment = .confirmed) async throws(RPCError) -> FetchedTransaction? {
        let answer = try await callJSON("getTransaction", Self.transactionParams(signature, commitment))
        if answer == .null { return nil }
        return try TransactionAnswer(answer, signature: signature).decoded(signature)
    }

    /// Several `getTransaction` calls in one JSON-RPC batch; each answer in its place (nil: not seen at
    /// `commitment`; a failure: that call's error, or a malformed answer).
    public func transactions(_ signatures: [Signature], commitment: Commitment = .confirmed) async throws(RPCError)
        -> [Result<FetchedTransaction?, RPCError>]
    {
        let answers = try await batch(signatures.map { ("getTransaction", Self.transactionParams($0, commitment)) })
        return zip(signatures, answers).map { signature, answer in
            switch answer {
            case .failure(let error): return .failure(error)
            case .success(.null): return .success(nil)
            case .success(let json):
                do throws(RPCError) { return .success(try TransactionAnswer(json, signature: signature).decoded(signature)) } catch {
                    return .failure(error)
                }
            }
        }
    }

    static func transactionParams(_ signature: Signature, _ commitment: Commitment) -> [JSONValue] {
        [
            .string(signature.base58),
            .object([
                "encoding": .string("base64"), "commitment": .string(max(commitment, .confirmed).rawValue),
                "maxSupportedTransactionVersion": .int(0),
            ]),
        ]
    }
}

/// `getTransaction`'s answer as it comes over the wire, read from the parsed JSON.
struct TransactionAnswer: Sendable {
    struct Meta: Sendable {
        let err: JSONValue?
        let fee: UInt64
        let preBalances: [UInt64]
        let postBalances: [UInt64]
        let preTokenBalances: [Balance]?
        let postTokenBalances: [Balance]?
        let innerInstructions: [Inner]?
        let logMessages: [String]?
        let loadedAddresses: Loaded?
        let computeUnitsConsumed: UInt64?
    }

    struct Balance: Sendable {
        struct Amount: Sendable {
            let amount: String
            let decimals: UInt8
        }
        let accountIndex: Int
        let mint: String
        let owner: String?
        let programId: String?
        let uiTokenAmount: Amount
    }

    struct Inner: Sendable {
        struct Instruction: Sendable {
            let programIdIndex: Int
            let accounts: [Int]
            let data: String
            let stackHeight: Int?
        }
        let index: Int
        let instructions: [Instruction]
    }

    struct Loaded: Sendable {
        let writable: [String]
        let readonly: [String]
    }

    let slot: UInt64
    let blockTime: Int64?
    /// `[base64, "base64"]`.
    let transaction: [String]
    let meta: Meta?

    /// Reads the answer's fields from `json`; throws `invalidResponse` naming the first field that is missing or of
    /// the wrong type.
    init(_ json: JSONValue, signature: Signature) throws(RPCError) {
        func malformed(_ field: String) -> RPCError {
            RPCError(.invalidResponse, "getTransaction \(signature.base58): the answer's \(field) is missing or malformed")
        }
        func object(_ value: JSONValue?, _ field: String) throws(RPCError) -> [String: JSONValue] {
            guard case .object(let object)? = value else { throw malformed(field) }
            return object
        }
        func array(_ value: JSONValue?, _ field: String) throws(RPCError) -> [JSONValue] {
            guard case .array(let array)? = value else { throw malformed(field) }
            return array
        }
        func optionalArray(_ value: JSONValue?, _ field: String) throws(RPCError) -> [JSONValue]? {
            if value == nil || value == .null { return nil }
            return try array(value, field)
        }
        func string(_ value: JSONValue?, _ field: String) throws(RPCError) -> String {
            guard case .string(let text)? = value else { throw malformed(field) }
            return text
        }
        func optionalString(_ value: JSONValue?, _ field: String) throws(RPCError) -> String? {
            if value == nil || value == .null { return nil }
            return try string(value, field)
        }
        func unsigned(_ value: JSONValue?, _ field: String) throws(RPCError) -> UInt64 {
            guard let number = value?.uint64 else { throw malformed(field) }
            return number
        }
        func optionalUnsigned(_ value: JSONValue?, _ field: String) throws(RPCError) -> UInt64? {
            if value == nil || value == .null { return nil }
            return try unsigned(value, field)
        }
        func integer(_ value: JSONValue?, _ field: String) throws(RPCError) -> Int {
            guard case .int(let number)? = value, let result = Int(exactly: number) else { throw malformed(field) }
            return result
        }
        func balances(_ value: JSONValue?, _ field: String) throws(RPCError) -> [Balance]? {
            guard let list = try optionalArray(value, field) else { return nil }
            var result: [Balance] = []
            result.reserveCapacity(list.count)
            for entry in list {
                let amount = try object(entry["uiTokenAmount"], "\(field).uiTokenAmount")
                let decimals = try unsigned(amount["decimals"], "\(field).uiTokenAmount.decimals")
                guard decimals <= 255 else { throw malformed("\(field).uiTokenAmount.decimals") }
                result.append(Balance(
                    accountIndex: try integer(entry["accountIndex"], "\(field).accountIndex"), mint: try string(entry["mint"], "\(field).mint"),
                    owner: try optionalString(entry["owner"], "\(field).owner"), programId: try optionalString(entry["programId"], "\(field).programId"),
                    uiTokenAmount: Balance.Amount(amount: try string(amount["amount"], "\(field).uiTokenAmount.amount"), decimals: UInt8(decimals))))
            }
            return result
        }

        let root = try object(json, "result")
        slot = try unsigned(root["slot"], "slot")
        switch root["blockTime"] {
        case nil, .null?: blockTime = nil
        case .int(let time)?: blockTime = time
        default: throw malformed("blockTime")
        }
        transaction = try array(root["transaction"], "transaction").map { item throws(RPCError) in try string(item, "transaction") }
        if let metaValue = root["meta"], metaValue != .null {
            let meta = try object(metaValue, "meta")
            var inner: [Inner]?
            if let groups = try optionalArray(meta["innerInstructions"], "meta.innerInstructions") {
                var list: [Inner] = []
                for group in groups {
                    var instructions: [Inner.Instruction] = []
                    for item in try array(group["instructions"], "meta.innerInstructions.instructions") {
                        let stackHeight = try optionalUnsigned(item["stackHeight"], "meta.innerInstructions.stackHeight")
                        instructions.append(Inner.Instruction(
                            programIdIndex: try integer(item["programIdIndex"], "meta.innerInstructions.programIdIndex"),
                            accounts: try array(item["accounts"], "meta.innerInstructions.accounts").map { value throws(RPCError) in
                                try integer(value, "meta.innerInstructions.accounts")
                            },
                            data: try string(item["data"], "meta.innerInstructions.data"), stackHeight: stackHeight.map { Int($0) }))
                    }
                    list.append(Inner(index: try integer(group["index"], "meta.innerInstructions.index"), instructions: instructions))
                }
                inner = list
            }
            var loaded: Loaded?
            if let addresses = meta["loadedAddresses"], addresses != .null {
                loaded = Loaded(
                    writable: try array(addresses["writable"], "meta.loadedAddresses.writable").map { value throws(RPCError) in
                        try string(value, "meta.loadedAddresses.writable")
                    },
                    readonly: try array(addresses["readonly"], "meta.loadedAddresses.readonly").map { value throws(RPCError) in
                        try string(value, "meta.loadedAddresses.readonly")
                    })
            }
            self.meta = Meta(
                err: meta["err"], fee: try unsigned(meta["fee"], "meta.fee"),
                preBalances: try array(meta["preBalances"], "meta.preBalances").map { value throws(RPCError) in try unsigned(value, "meta.preBalances") },
                postBalances: try array(meta["postBalances"], "meta.postBalances").map { value throws(RPCError) in
                    try unsigned(value, "meta.postBalances")
                },
                preTokenBalances: try balances(meta["preTokenBalances"], "meta.preTokenBalances"),
                postTokenBalances: try balances(meta["postTokenBalances"], "meta.postTokenBalances"), innerInstructions: inner,
                logMessages: try optionalArray(meta["logMessages"], "meta.logMessages")?.map { value throws(RPCError) in
                    try string(value, "meta.logMessages")
                },
                loadedAddresses: loaded, computeUnitsConsumed: try optionalUnsigned(meta["computeUnitsConsumed"], "meta.computeUnitsConsumed"))
        } else {
            meta = nil
        }
    }

    func decoded(_ signature: Signature) throws(RPCError) -> FetchedTransaction {
        func malformed(_ what: String) -> RPCError {
            RPCError(.invalidResponse, "getTransaction \(signature.base58): \(what)")
        }
        guard let meta else { throw malformed("the answer has no meta (the node does not keep transaction status)") }
        guard transaction.count == 2, transaction[1] == "base64", let bytes = Data(base64Encoded: transaction[0]).map(Array.init) else {
            throw malformed("the transaction is not [base64, \"base64\"]")
        }
        let decoded: Transaction
        do { decoded = try Transaction.deserialize(bytes) } catch { throw malformed("the transaction does not parse: \(error.message)") }
        func key(_ text: String) throws(RPCError) -> PublicKey {
            do { return try PublicKey(base58: text) } catch { throw malformed("\(text) is not an address") }
        }
        func balances(_ list: [Balance]?) throws(RPCError) -> [TokenBalance] {
            var result: [TokenBalance] = []
            for balance in list ?? [] {
                guard let amount = UInt64(balance.uiTokenAmount.amount) else {
                    throw malformed("token amount \(balance.uiTokenAmount.amount) is not a u64")
                }
                result.append(TokenBalance(
                    accountIndex: balance.accountIndex, mint: try key(balance.mint), owner: try balance.owner.map(key),
                    programID: try balance.programId.map(key), amount: amount, decimals: balance.uiTokenAmount.decimals))
            }
            return result
        }
        var inner: [InnerInstructions] = []
        for group in meta.innerInstructions ?? [] {
            var instructions: [InnerInstruction] = []
            for instruction in group.instructions {
                let data: [UInt8]
                do { data = try Base58.decode(instruction.data) } catch { throw malformed("inner instruction data is not base58") }
                instructions.append(InnerInstruction(
                    programIdIndex: instruction.programIdIndex, accounts: instruction.accounts, data: data, stackHeight: instruction.stackHeight))
            }
            inner.append(InnerInstructions(index: group.index, instructions: instructions))
        }
        var writable: [PublicKey] = [], readonly: [PublicKey] = []
        for text in meta.loadedAddresses?.writable ?? [] { writable.append(try key(text)) }
        for text in meta.loadedAddresses?.readonly ?? [] { readonly.append(try key(text)) }
        let statusMeta = TransactionStatusMeta(
            error: meta.err == .null ? nil : meta.err, fee: meta.fee, preBalances: meta.preBalances, postBalances: meta.postBalances,
            preTokenBalances: try balances(meta.preTokenBalances), postTokenBalances: try balances(meta.postTokenBalances),
            innerInstructions: inner, logMessages: meta.logMessages, loadedWritable: writable, loadedReadonly: readonly,
            computeUnitsConsumed: meta.computeUnitsConsumed)
        let fetched = FetchedTransaction(signature: signature, slot: slot, blockTime: blockTime, transaction: decoded, meta: statusMeta)
        guard fetched.transaction.signatures.first == signature else {
            throw malformed("the answer carries another transaction (\(fetched.transaction.signatures.first?.base58 ?? "unsigned"))")
        }
        guard meta.preBalances.count == fetched.accountKeys.count, meta.postBalances.count == fetched.accountKeys.count else {
            throw malformed("\(meta.preBalances.count) balances for \(fetched.accountKeys.count) accounts")
        }
        return fetched
    }
}
