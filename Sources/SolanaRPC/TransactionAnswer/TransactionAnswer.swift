import Foundation
import SolanaCore

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
        var reader = MetaReader()
        var field = "result"
        var slot: UInt64?
        var blockTime: Int64?
        var wire: [UInt8]?
        var meta: MetaReader.Fields?
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
                    wire = try readWire(&parser)
                } else if name == "meta" {
                    field = "meta"
                    if try parser.readNull() { return }
                    meta = try reader.read(&parser, addresses: &addresses) { field = $0 }
                } else {
                    try parser.skipValue()
                }
            }
        } catch {
            throw malformed(reader.problem ?? "the answer's \(field) is malformed (\(error))")
        }
        guard let slot else { throw malformed("the answer has no slot") }
        // Unix seconds of the years 1 to 9999: a block time outside them is no time a block was made.
        if let blockTime, !(-62_135_596_800...253_402_300_799).contains(blockTime) {
            throw malformed("the answer's blockTime \(blockTime) is not a time (the years 1 to 9999)")
        }
        guard let meta else { throw malformed("the answer has no meta (the node does not keep transaction status)") }
        guard let wire else { throw malformed("the transaction is not [base64, \"base64\"]") }
        guard let fee = meta.fee, let preBalances = meta.preBalances, let postBalances = meta.postBalances else {
            throw malformed("the answer's meta has no fee or balances")
        }
        let decoded: Transaction
        do { decoded = try Transaction.deserialize(wire) } catch { throw malformed("the transaction does not parse: \(error.message)") }
        let status = TransactionStatusMeta(
            error: meta.err, fee: fee, preBalances: preBalances, postBalances: postBalances, preTokenBalances: meta.preTokenBalances,
            postTokenBalances: meta.postTokenBalances, innerInstructions: meta.inner, logMessages: meta.logMessages,
            loadedWritable: meta.writable, loadedReadonly: meta.readonly, computeUnitsConsumed: meta.computeUnits)
        guard let signature = decoded.signatures.first else { throw malformed("the transaction has no signature") }
        let fetched = FetchedTransaction(signature: signature, slot: slot, blockTime: blockTime, transaction: decoded, meta: status)
        let accounts = fetched.accountKeys.count
        guard preBalances.count == accounts, postBalances.count == accounts else {
            throw malformed("\(preBalances.count) balances for \(accounts) accounts")
        }
        // A token balance of an account the transaction does not have cannot be placed: indexed without it, a balance
        // change would vanish.
        for (member, balances) in [("preTokenBalances", meta.preTokenBalances), ("postTokenBalances", meta.postTokenBalances)] {
            if let balance = balances.first(where: { $0.accountIndex >= accounts }) {
                throw malformed("meta.\(member) names account \(balance.accountIndex), but the transaction has \(accounts) accounts")
            }
        }
        return fetched
    }

    /// The answer's `transaction`: `[base64 text, "base64"]`, as bytes.
    static func readWire(_ parser: inout JSONParser) throws(JSONParser.Failure) -> [UInt8]? {
        var wire: [UInt8]?
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
        return wire
    }
}
