import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// A provider's cache or load balancer that mixes up answers lists another address's history for a followed one (the
/// local chain's `listed_for`): its transactions do not name the address, and the address's cursor must not move to
/// them.
@Suite("Indexer: another address's history listed for a followed one", .enabled(if: WorkerTestEnvironment.isAvailable))
struct MixedUpListingTests {
    static let logger = Logger(label: "MixedUpListingTests")

    /// The fee wallet's history answered with another address's (one the index does not follow, so its transactions
    /// are fetched by the wallet's read): the wallet's cursor moved to that address's newest transaction, newer than
    /// the SOL the wallet received meanwhile, which only the wallet's own history lists; once the node answered right,
    /// every read ended at that cursor, and the payment was never indexed. (A mixed-up listing whose transactions are
    /// all stored or delivered already is not caught: their accounts are not at hand.)
    @Test("a listing whose transactions do not name the address moves no cursor; the address's own history is then read")
    func aListingOfAnotherAddressMovesNoCursor() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_mixed_up_listing") { client, rpc, server in
            let flby = try await FlbyActivity.create(rpc)
            let wallet = Keypair.generate().publicKey
            let stranger = Keypair.generate().publicKey
            let watched = WatchedAddresses(flbyMint: flby.mint.publicKey, feeWallet: wallet)
            let store = IndexStore(client: client, logger: Self.logger)
            let indexer = Indexer(store: store, rpc: rpc, watched: watched, options: IndexerAcceptanceTests.options, logger: Self.logger)
            try await IndexerAcceptanceTests.running(indexer) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "catching up") { await indexer.caughtUp() }
                _ = try await server.control(["listed_for": [wallet.base58: stranger.base58]])
                // The wallet receives SOL (only its own history lists that), then a stranger, newer.
                let payment = try await IndexerAcceptanceTests.transfer(rpc, from: flby.payer, to: wallet, lamports: 50_000_000)
                try await rpc.waitUntilConfirmed(payment)
                try await rpc.waitUntilConfirmed(try await IndexerAcceptanceTests.transfer(rpc, from: flby.payer, to: stranger, lamports: 10_000_000))
                for _ in 0..<15 {
                    _ = try await server.control(["advance_slots": 2])
                    try await Task.sleep(for: .milliseconds(200))
                }
                _ = try await server.control(["listed_for": [String: String]()])
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "catching up") { await indexer.caughtUp() }
                #expect(
                    try await IndexerAcceptanceTests.count(
                        client, "SELECT count(*) FROM flutterbye.wallet_activity WHERE signature = '\(payment.base58)' AND wallet = 'fee'") == 1,
                    "the wallet's payment, which only its own history lists, is indexed")
            }
            let report = try await Reconciliation(store: store, rpc: rpc, watched: watched).run()
            #expect(report.differences.isEmpty, "\(report.differences)")
        }
    }
}
