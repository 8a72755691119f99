import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// A transaction the index took from a fork that died may land again in a later slot, below which the dead fork hid
/// other transactions: the cursors at it must not keep the index from reading them.
@Suite("Indexer: a cursor at a moved transaction", .enabled(if: WorkerTestEnvironment.isAvailable))
struct MovedCursorTests {
    static let logger = Logger(label: "MovedCursorTests")
    static var options: IndexerOptions { IndexerAcceptanceTests.options }

    /// A dead fork held the mint of 300 in a slot of its own (before the chain's mint of 700 existed there), and the
    /// index took it and moved the mint's and the holder account's cursors to it. The transaction then landed again on
    /// the canonical chain, after the mint of 700. The settling pass finds it in another slot and replaces its rows
    /// (`.moved`), but moves no cursor back: the cursors name the signature, which the node places at its new slot,
    /// so every read `until` it lists only what is newer, and the mint of 700 below it is never indexed. (A cursor at
    /// a *dropped* transaction is moved back for exactly this reason; one at a *moved* one is not.)
    @Test("a cursor at a transaction that landed again in a later slot still gets what the dead fork hid")
    func aCursorAtAMovedTransactionStillGetsWhatTheDeadForkHid() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_moved_cursor") { client, rpc, server in
            let indexed = try await IndexedHolder.make(client, rpc)
            let account = try indexed.flby.account(of: indexed.holder)
            // The canonical chain, while no indexer runs: the mint of 700, then (some slots later) the mint of 300.
            let hidden = try await indexed.flby.mint(700, to: indexed.holder)
            let hiddenSlot = try await indexed.flby.slot(of: hidden)
            _ = try await server.control(["advance_slots": 5])
            let landedAgain = try await indexed.flby.mint(300, to: indexed.holder)
            let landedSlot = try await indexed.flby.slot(of: landedAgain)
            // The dead fork's copy of the mint of 300, in a slot between them, where the account went 1000 -> 1300.
            let forkSlot = hiddenSlot + 2
            try #require(forkSlot < landedSlot)
            let cursor = SignatureCursor(signature: landedAgain, slot: forkSlot)
            try await indexed.store.write(
                [
                    .storedMint(
                        landedAgain, slot: forkSlot, account: account, holder: indexed.holder, amount: 300, preAmount: 1_000, postAmount: 1_300)
                ],
                advance: CursorAdvance(address: indexed.flby.mint.publicKey, role: .mint, newest: cursor, signatures: 1))
            try await indexed.store.write([], advance: CursorAdvance(address: account, role: .flbyAccount, newest: cursor, signatures: 1))
            try await IndexerFinalityTests.finalize(past: landedSlot + 30, rpc, server)

            let restarted = indexed.indexer(rpc)
            try await IndexerAcceptanceTests.running(restarted) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(90), "the transaction stored in its chain slot") {
                    while try await IndexerAcceptanceTests.count(
                        client,
                        "SELECT count(*) FROM flutterbye.indexed_transactions WHERE signature = '\(landedAgain.base58)' AND slot = \(landedSlot) AND NOT dropped"
                    ) == 0 {
                        _ = try await server.control(["advance_slots": 5])
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                // More settling passes and polls, then caught up.
                for _ in 0..<10 {
                    _ = try await server.control(["advance_slots": 5])
                    try await Task.sleep(for: .milliseconds(200))
                }
                try await IndexerAcceptanceTests.withTimeout(.seconds(30), "the indexer catching up") { await restarted.caughtUp() }
            }
            #expect(
                try await IndexerAcceptanceTests.count(
                    client, "SELECT count(*) FROM flutterbye.indexed_transactions WHERE signature = '\(hidden.base58)'") == 1,
                "the chain's mint of 700, which the dead fork hid below the moved transaction, is indexed")
            let chainSupply = try await rpc.tokenSupply(indexed.flby.mint.publicKey)
            #expect(try await IndexerFinalityTests.supply(client) == String(chainSupply), "flby_supply against getTokenSupply")
            let report = try await Reconciliation(store: indexed.store, rpc: rpc, watched: indexed.watched).run()
            #expect(report.differences.isEmpty, "\(report.differences)")
        }
    }
}
