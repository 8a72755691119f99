import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// After the configured wallet changed, `reconcile` compares the new wallet's balance with its own rows.
@Suite("Reconciliation after a wallet change", .enabled(if: WorkerTestEnvironment.isAvailable))
struct WalletChangeReconcileTests {
    static let logger = Logger(label: "WalletChangeReconcileTests")
    static var options: IndexerOptions { IndexerAcceptanceTests.options }

    /// The fee wallet changed (A, then B; the indexer retires A and follows B). `reconcile` sums the lamports of every
    /// `chain_wallet_activity` row of the role ('fee'), A's and B's alike, from A's opening balance, and compares that
    /// with B's getBalance: a difference the index does not have (B's rows alone give B's balance).
    @Test("after the fee wallet changed, reconcile compares the new wallet's lamports with its own rows")
    func reconcileAfterTheFeeWalletChangedReadsTheNewWalletsRows() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_wallet_changed") { client, rpc, server in
            let flby = try await FlbyActivity.create(rpc)
            let oldFee = Keypair.generate().publicKey
            let newFee = Keypair.generate().publicKey
            try await rpc.waitUntilConfirmed(
                try await IndexerAcceptanceTests.transfer(rpc, from: flby.payer, to: oldFee, lamports: 2_000_000_000))
            try await rpc.waitUntilConfirmed(
                try await IndexerAcceptanceTests.transfer(rpc, from: flby.payer, to: newFee, lamports: 1_000_000_000))

            let store = IndexStore(client: client, logger: Self.logger)
            let before = Indexer(
                store: store, rpc: rpc, watched: WatchedAddresses(flbyMint: flby.mint.publicKey, feeWallet: oldFee), options: Self.options,
                logger: Self.logger)
            try await IndexerAcceptanceTests.running(before) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "the index with the old fee wallet catching up") {
                    await before.caughtUp()
                }
            }
            let watched = WatchedAddresses(flbyMint: flby.mint.publicKey, feeWallet: newFee)
            let after = Indexer(store: store, rpc: rpc, watched: watched, options: Self.options, logger: Self.logger)
            try await IndexerAcceptanceTests.running(after) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "the index with the new fee wallet catching up") {
                    await after.caughtUp()
                }
            }
            // The index has the new wallet's history whole: its rows add up to its balance.
            var newRows = ""
            for try await sum in try await client.query(
                "SELECT coalesce(sum(lamports_delta), 0)::text FROM flutterbye.wallet_activity WHERE address = \(newFee.base58)",
                logger: Self.logger
            ).decode(String.self) {
                newRows = sum
            }
            let chainLamports = try await rpc.balance(newFee)
            try #require(newRows == String(chainLamports), "the new wallet's own rows: \(newRows), its balance \(chainLamports)")
            let report = try await Reconciliation(store: store, rpc: rpc, watched: watched).run()
            #expect(report.differences.isEmpty, "\(report.differences)")
        }
    }
}
