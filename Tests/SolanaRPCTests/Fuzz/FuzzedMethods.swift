import Foundation
import SolanaCore

@testable import SolanaRPC

/// What the fuzz test calls: every method of `SolanaRPCClient` that the worker, the indexer, the status API and the
/// command line use (found by grepping their sources for `rpc.`), the batch APIs, and the sender's new ones; and for
/// each JSON-RPC method the answer a well-behaved node gives, which the hostile answers start from.
enum FuzzedMethods {
    static let key = try! Keypair(seed: [UInt8](repeating: 41, count: 32)).publicKey
    static let otherKey = try! Keypair(seed: [UInt8](repeating: 42, count: 32)).publicKey
    static let mint = TransactionAnswerTests.mint
    /// A signed transaction: what is sent and simulated, and what `getTransaction` answers with.
    static let transaction = TransactionAnswerTests.transaction
    static let signatures = (0..<300).map { index in try! Signature(bytes: [UInt8](repeating: UInt8(index % 256), count: 63) + [UInt8(index / 256)]) }
    static let manyKeys = (0..<150).map { index in try! PublicKey(bytes: [UInt8](repeating: UInt8(index), count: 31) + [7]) }

    /// A named call of the client.
    struct Method: Sendable {
        let name: String
        let run: @Sendable (SolanaRPCClient) async throws(RPCError) -> Void
    }

    static let all: [Method] = [
        Method(name: "latestBlockhash") { client throws(RPCError) in _ = try await client.latestBlockhash() },
        Method(name: "slot") { client throws(RPCError) in _ = try await client.slot() },
        Method(name: "blockHeight") { client throws(RPCError) in _ = try await client.blockHeight() },
        Method(name: "health") { client throws(RPCError) in try await client.health() },
        Method(name: "genesisHash") { client throws(RPCError) in _ = try await client.genesisHash() },
        Method(name: "minimumBalanceForRentExemption") { client throws(RPCError) in _ = try await client.minimumBalanceForRentExemption(space: 165) },
        Method(name: "balance") { client throws(RPCError) in _ = try await client.balance(key) },
        Method(name: "accountInfo") { client throws(RPCError) in _ = try await client.accountInfo(key) },
        Method(name: "sendTransaction") { client throws(RPCError) in _ = try await client.sendTransaction(transaction) },
        Method(name: "simulateTransaction") { client throws(RPCError) in _ = try await client.simulateTransaction(transaction) },
        Method(name: "signatureStatuses") { client throws(RPCError) in _ = try await client.signatureStatuses(Array(signatures.prefix(3))) },
        Method(name: "signatureStatuses(300)") { client throws(RPCError) in _ = try await client.signatureStatuses(signatures) },
        Method(name: "recentPrioritizationFees") { client throws(RPCError) in _ = try await client.recentPrioritizationFees(accounts: [key]) },
        Method(name: "signaturesForAddress") { client throws(RPCError) in _ = try await client.signaturesForAddress(key, limit: 10) },
        Method(name: "signatures(of:olderThan:)") { client throws(RPCError) in
            _ = try await client.signatures(of: key, olderThan: signatures[0], limit: 1)
        },
        Method(name: "signaturesForAddresses") { client throws(RPCError) in
            _ = try await client.signaturesForAddresses([(address: key, until: nil), (address: otherKey, until: signatures[0])])
        },
        Method(name: "signaturesForAddresses(ledgerStart:)") { client throws(RPCError) in
            _ = try await client.signaturesForAddresses([(address: key, until: signatures[0])], ledgerStart: true)
        },
        Method(name: "tokenSupply") { client throws(RPCError) in _ = try await client.tokenSupply(mint) },
        Method(name: "tokenAccountBalance") { client throws(RPCError) in _ = try await client.tokenAccountBalance(key) },
        Method(name: "tokenAccountBalances") { client throws(RPCError) in _ = try await client.tokenAccountBalances([key, otherKey]) },
        Method(name: "tokenAccountStates") { client throws(RPCError) in _ = try await client.tokenAccountStates([key, otherKey]) },
        Method(name: "tokenAccounts(ofMint:)") { client throws(RPCError) in
            _ = try await client.tokenAccounts(ofMint: mint, program: TokenProgram.token.programID)
        },
        Method(name: "tokenAccounts(ofOwner:)") { client throws(RPCError) in
            _ = try await client.tokenAccounts(ofOwner: key, program: TokenProgram.token.programID)
        },
        Method(name: "transaction") { client throws(RPCError) in _ = try await client.transaction(transaction.id) },
        Method(name: "transactions") { client throws(RPCError) in _ = try await client.transactions([transaction.id, transaction.id]) },
        Method(name: "sendTransactions") { client throws(RPCError) in
            _ = try await client.sendTransactions([(transaction: transaction, skipPreflight: false), (transaction: transaction, skipPreflight: true)])
        },
        Method(name: "multipleAccounts") { client throws(RPCError) in _ = try await client.multipleAccounts([key, otherKey]) },
        Method(name: "multipleAccounts(150)") { client throws(RPCError) in _ = try await client.multipleAccounts(manyKeys) },
        Method(name: "statusesWithLedgerStart") { client throws(RPCError) in
            _ = try await client.statusesWithLedgerStart(Array(signatures.prefix(3)))
        },
        Method(name: "blockTime") { client throws(RPCError) in _ = try await client.blockTime(slot: 12_345) },
        Method(name: "call(getVersion)") { client throws(RPCError) in _ = try await client.call("getVersion", as: JSONValue.self) },
        Method(name: "batch") { client throws(RPCError) in
            _ = try await client.batch([(method: "getSlot", params: []), (method: "getBlockHeight", params: [])])
        },
    ]

    static let account =
        #"{"lamports":2039280,"owner":"\#(key)","data":["AAEC","base64"],"executable":false,"rentEpoch":18446744073709551615,"space":3}"#
    static let status = #"{"slot":5,"confirmations":null,"err":null,"status":{"Ok":null},"confirmationStatus":"finalized"}"#
    static let tokenAmount = #"{"amount":"1000","decimals":2,"uiAmount":10.0,"uiAmountString":"10"}"#
    static let tokenAccount: String = {
        var bytes = mint.bytes + key.bytes + [0xE8, 0x03, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 36) + [1]
        bytes += [UInt8](repeating: 0, count: 165 - bytes.count)
        let data = Data(bytes).base64EncodedString()
        return
            #"{"pubkey":"\#(otherKey)","account":{"data":["\#(data)","base64"],"executable":false,"lamports":2039280,"owner":"\#(TokenProgram.token.programID)","rentEpoch":18446744073709551615,"space":165}}"#
    }()

    /// The result a healthy node gives to `method`, whose first parameter is `first` (a list's length matters).
    static func validResult(_ method: String, firstParameterCount count: Int) -> JSONDocument {
        let text: String
        switch method {
        case "getLatestBlockhash":
            text = #"{"context":{"slot":100},"value":{"blockhash":"\#(key)","lastValidBlockHeight":250}}"#
        case "getSlot", "getBlockHeight", "getMinimumBalanceForRentExemption", "getFirstAvailableBlock": text = "12345"
        case "getBlockTime": text = "1700000000"
        case "getBlocksWithLimit": text = "[12345]"
        case "getHealth": text = #""ok""#
        case "getGenesisHash": text = #""\#(key)""#
        case "getBalance": text = #"{"context":{"slot":1},"value":5000}"#
        case "getAccountInfo": text = #"{"context":{"slot":1},"value":\#(account)}"#
        case "getMultipleAccounts":
            text = #"{"context":{"slot":1},"value":[\#((0..<count).map { $0 % 2 == 0 ? account : "null" }.joined(separator: ","))]}"#
        case "sendTransaction": text = #""\#(transaction.id)""#
        case "simulateTransaction":
            text = #"{"context":{"slot":1},"value":{"err":null,"logs":["Program log: ok"],"unitsConsumed":150,"accounts":null,"returnData":null}}"#
        case "getSignatureStatuses":
            text = #"{"context":{"slot":1},"value":[\#((0..<count).map { $0 % 2 == 0 ? status : "null" }.joined(separator: ","))]}"#
        case "getRecentPrioritizationFees": text = #"[{"slot":1,"prioritizationFee":7000},{"slot":2,"prioritizationFee":0}]"#
        case "getSignaturesForAddress":
            text = #"[{"signature":"\#(signatures[1])","slot":5,"err":null,"memo":null,"blockTime":1700000000,"confirmationStatus":"finalized"}]"#
        case "getTokenSupply", "getTokenAccountBalance": text = #"{"context":{"slot":1},"value":\#(tokenAmount)}"#
        case "getProgramAccounts": text = "[\(tokenAccount)]"
        case "getTokenAccountsByOwner": text = #"{"context":{"slot":1},"value":[\#(tokenAccount)]}"#
        case "getTransaction": text = TransactionAnswerTests.answer()
        case "getVersion": text = #"{"solana-core":"2.1.0","feature-set":1}"#
        default: text = "null"
        }
        return JSONDocument(parsing: text)
    }
}
