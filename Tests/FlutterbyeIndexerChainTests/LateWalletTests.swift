import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// A wallet configured (or changed) after the index stored transactions that touched it: those transactions get the
/// wallet's rows.
@Suite("Indexer: a wallet configured later", .enabled(if: WorkerTestEnvironment.isAvailable))
struct LateWalletTests {
    static let logger = Logger(label: "LateWalletTests")
    static var options: IndexerOptions { IndexerAcceptanceTests.options }

    /// An index of the FLBY mint alone, then the fee wallet configured (the README: the wallets are optional; an
    /// operator sets or changes `MAINNET_FEE_WALLET` later). The wallet received 1,000 FLBY and paid for sending 400
    /// of it before: those transactions are stored already (they touched FLBY accounts), without the wallet's rows.
    /// Its history is read from the beginning once it is configured, but a stored signature is not fetched again, so
    /// its rows are never written: `wallet_activity` lacks them and reconcile reports its lamports.
    @Test("a fee wallet configured after its FLBY transactions were indexed has those transactions in wallet_activity")
    func aWalletConfiguredLaterHasItsEarlierTransactions() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_wallet_later") { client, rpc, server in
            let flby = try await FlbyActivity.create(rpc)
            let wallet = Keypair.generate()
            let funding = try await IndexerAcceptanceTests.transfer(rpc, from: flby.payer, to: wallet.publicKey, lamports: 1_000_000_000)
            try await rpc.waitUntilConfirmed(funding)
            _ = try await flby.open(for: wallet.publicKey)
            _ = try await flby.mint(1_000, to: wallet.publicKey)
            let holder = Keypair.generate().publicKey
            _ = try await flby.open(for: holder)
            // The wallet sends 400 of its FLBY, paying the fee.
            let blockhash = try await rpc.latestBlockhash(commitment: .processed).blockhash
            let sending = try Transaction(
                message: .legacy(
                    try LegacyMessage(
                        payer: wallet.publicKey,
                        instructions: [
                            TokenProgram.token.transfer(
                                source: try flby.account(of: wallet.publicKey), destination: try flby.account(of: holder), owner: wallet.publicKey,
                                amount: 400)
                        ], recentBlockhash: blockhash)), signers: [wallet])
            try await rpc.waitUntilConfirmed(try await rpc.sendTransaction(sending, skipPreflight: true))

            let store = IndexStore(client: client, logger: Self.logger)
            let mintOnly = Indexer(
                store: store, rpc: rpc, watched: WatchedAddresses(flbyMint: flby.mint.publicKey), options: Self.options, logger: Self.logger)
            try await IndexerAcceptanceTests.running(mintOnly) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "the mint's index catching up") { await mintOnly.caughtUp() }
            }
            let watched = WatchedAddresses(flbyMint: flby.mint.publicKey, feeWallet: wallet.publicKey)
            let withFeeWallet = Indexer(store: store, rpc: rpc, watched: watched, options: Self.options, logger: Self.logger)
            try await IndexerAcceptanceTests.running(withFeeWallet) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "the index with the fee wallet catching up") {
                    await withFeeWallet.caughtUp()
                }
            }

            // The chain's figures.
            let chainFlby = try await rpc.tokenAccountBalance(try flby.account(of: wallet.publicKey))
            var indexedFlby = ""
            for try await sum in try await client.query(
                "SELECT coalesce(sum(flby_delta), 0)::text FROM flutterbye.wallet_activity WHERE wallet = 'fee'", logger: Self.logger
            ).decode(String.self) {
                indexedFlby = sum
            }
            #expect(indexedFlby == String(chainFlby), "the fee wallet's FLBY: wallet_activity sums \(indexedFlby), its account holds \(chainFlby)")
            let report = try await Reconciliation(store: store, rpc: rpc, watched: watched).run()
            #expect(report.differences.isEmpty, "\(report.differences)")
        }
    }
}
