import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// Issue 17: `flby_balances` of an FLBY token account closed and created again at the same address (an associated
/// token account can be) after the indexer's start slot equals the chain's balance, never a negative amount.
@Suite("Indexer balances", .enabled(if: WorkerTestEnvironment.isAvailable))
struct IndexerBalanceTests {
    static let logger = Logger(label: "IndexerBalanceTests")

    @Test("accounts emptied, closed, created again at their address and funded after the start slot: flby_balances is the chain's balance")
    func aReopenedAccountHoldsTheChainsBalance() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_reopen") { client, rpc, server in
            let history = try GeneratedHistory(rpcURL: server.url, arguments: ["--mix", "reopen", "--count", "3", "--seed", "9"])
            let watched = try IndexerAcceptanceTests.watched(try await history.setup())
            let expected = try await history.expected()
            let emptied = expected.transactions.filter { $0.kind == "reopen_empty" }
            try #require(emptied.count == 3)
            var options = IndexerAcceptanceTests.options
            options.polling.startSlot = emptied[0].slot
            let store = IndexStore(client: client, logger: Self.logger)
            let indexer = Indexer(store: store, rpc: rpc, watched: watched, options: options, logger: Self.logger)
            try await IndexerAcceptanceTests.running(indexer) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "the indexer catching up") { await indexer.caughtUp() }
            }

            // The accounts the closes name, and every indexed account, against the token program's own account data.
            let closes = expected.transactions.filter { $0.kind == "reopen_close" }.map(\.signature)
            var reopened: Set<String> = []
            for try await account in try await client.query(
                "SELECT DISTINCT token_account FROM flutterbye.chain_flby_balance_changes WHERE signature = ANY(\(closes))", logger: Self.logger
            ).decode(String.self) {
                reopened.insert(account)
            }
            try #require(reopened.count == 3)
            var indexed: [(account: PublicKey, amount: String)] = []
            for try await (account, amount) in try await client.query(
                "SELECT token_account, amount::text FROM flutterbye.flby_balances ORDER BY token_account", logger: Self.logger
            ).decode((String, String).self) {
                indexed.append((try PublicKey(base58: account), amount))
            }
            #expect(reopened.isSubset(of: Set(indexed.map(\.account.base58))))
            let chain = try await rpc.tokenAccountBalances(indexed.map(\.account), commitment: .confirmed)
            for (row, onChain) in zip(indexed, chain) {
                #expect(row.amount == String(onChain ?? 0), "\(row.account): indexed \(row.amount), chain \(onChain.map(String.init) ?? "closed")")
            }
        }
    }

    /// A stranger's FLBY account emptied, closed and created again at its address as an account of another mint, which
    /// now holds some of that mint: the index has it at 0 FLBY, and so has the chain. `reconcile` read the account's
    /// balance whatever its mint (`getTokenAccountBalance`) and reported the other mint's amount as a difference.
    @Test("FLBY accounts whose address came back as another mint's account: every view as computed, reconcile clean")
    func anAccountCreatedAgainForAnotherMintReconciles() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_remint") { client, rpc, server in
            let history = try GeneratedHistory(rpcURL: server.url, arguments: ["--mix", "remint", "--count", "2", "--seed", "9"])
            let watched = try IndexerAcceptanceTests.watched(try await history.setup())
            let expected = try await history.expected()
            try #require(expected.transactions.filter { $0.kind == "remint_noise" }.count == 2)
            let store = IndexStore(client: client, logger: Self.logger)
            let indexer = Indexer(store: store, rpc: rpc, watched: watched, options: IndexerAcceptanceTests.options, logger: Self.logger)
            try await IndexerAcceptanceTests.running(indexer) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "the indexer catching up") { await indexer.caughtUp() }
            }
            let views = try await IndexedViews.read(client, logger: Self.logger)
            #expect(views.differences(from: IndexedViews(expected)) == [])
            let report = try await Reconciliation(store: store, rpc: rpc, watched: watched).run()
            #expect(report.differences.isEmpty, "\(report.differences)")
            #expect(report.compared == expected.balances.count + 3)
        }
    }

    @Test("flby_balances when the transactions of an account's first indexed slot cannot be ordered: the one no other led to opens it")
    func theFirstSlotsOrderIsFoundFromTheAmounts() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_first_slot") { client, _, _ in
            let store = IndexStore(client: client, logger: Self.logger)
            let holder = Keypair.generate().publicKey
            var seed: UInt8 = 0
            func change(_ account: PublicKey, slot: UInt64, _ pre: UInt64?, _ post: UInt64) throws -> IndexedTransaction {
                seed += 1
                return IndexedTransaction(
                    signature: try Signature(bytes: [UInt8](repeating: seed, count: 64)), slot: slot, blockTime: nil, fee: 5_000, error: nil,
                    memo: nil, movements: [], walletActivity: [],
                    flbyBalances: [FlbyAccountBalance(account: account, owner: holder, amount: post, preAmount: pre)], programLogs: [],
                    namesWatchedAddress: true)
            }
            // Emptied (it held 900), closed, created again and funded with 300, all in slot 10, stored in another order.
            let reopened = Keypair.generate().publicKey
            // Created with 400 and emptied in slot 10, funded with 50 in slot 11.
            let created = Keypair.generate().publicKey
            // Held 70 before slot 10: one transfer in (70 -> 100) and one out (100 -> 90) in slot 10.
            let older = Keypair.generate().publicKey
            try await store.write(
                [
                    try change(reopened, slot: 10, 0, 300), try change(reopened, slot: 10, nil, 0), try change(reopened, slot: 10, 900, 0),
                    try change(reopened, slot: 10, 0, 0),
                    try change(created, slot: 11, 0, 50), try change(created, slot: 10, 400, 0), try change(created, slot: 10, nil, 400),
                    try change(older, slot: 10, 100, 90), try change(older, slot: 10, 70, 100),
                ], advance: nil)
            var balances: [String: String] = [:]
            for try await (account, amount) in try await client.query(
                "SELECT token_account, amount::text FROM flutterbye.flby_balances", logger: Self.logger
            ).decode((String, String).self) {
                balances[account] = amount
            }
            #expect(balances == [reopened.base58: "300", created.base58: "50", older.base58: "90"])
        }
    }
}
