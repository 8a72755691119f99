import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// `IndexerFinalityTests.aCursorAtADroppedSignatureIsRewound`, with the address active again before the drop, as the
/// mint and the wallets nearly always are in the minutes a drop takes: a poll reads the newer transaction and the
/// cursor moves past the dead fork's signature, so a rewind of the cursors still at it moved none, and the chain's
/// transaction the dead fork hid (in a slot below it) was never indexed. Every cursor at or past a dropped
/// transaction's slot moves back.
@Suite("Indexer rewinds", .enabled(if: WorkerTestEnvironment.isAvailable))
struct IndexerRewindTests {
    static let logger = Logger(label: "IndexerRewindTests")

    @Test("a cursor that moved past a dropped signature before the drop still gets what the dead fork hid")
    func aCursorThatMovedPastADroppedSignatureStillGetsWhatTheDeadForkHid() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_rewind_moved_on") { client, rpc, server in
            let flby = try await FlbyActivity.create(rpc)
            let holder = Keypair.generate().publicKey
            _ = try await flby.open(for: holder)
            _ = try await flby.mint(1_000, to: holder)
            let watched = WatchedAddresses(flbyMint: flby.mint.publicKey)
            let store = IndexStore(client: client, logger: Self.logger)
            let indexer = Indexer(store: store, rpc: rpc, watched: watched, options: IndexerFinalityTests.options, logger: Self.logger)
            try await IndexerAcceptanceTests.running(indexer) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "the indexer catching up") { await indexer.caughtUp() }
            }
            // As in aCursorAtADroppedSignatureIsRewound: a chain transaction, and a dead fork's one slot later that the
            // index took, its cursors moved to it.
            let canonical = try await flby.mint(700, to: holder)
            let canonicalSlot = try await flby.slot(of: canonical)
            let ghost = try Signature(bytes: (0..<64).map { _ in UInt8.random(in: 0...255) })
            let account = try flby.account(of: holder)
            let ghostTransaction = IndexedTransaction(
                signature: ghost, slot: canonicalSlot + 1, blockTime: nil, fee: 5_000, error: nil, memo: nil,
                movements: [
                    FlbyMovement(
                        instructionIndex: 0, innerIndex: nil, kind: .mint, sourceAccount: nil, sourceOwner: nil, destinationAccount: account,
                        destinationOwner: holder, amount: 5)
                ],
                walletActivity: [], flbyBalances: [FlbyAccountBalance(account: account, owner: holder, amount: 1_705, preAmount: 1_700)],
                programLogs: [], namesWatchedAddress: true)
            let cursor = SignatureCursor(signature: ghost, slot: canonicalSlot + 1)
            try await store.write(
                [ghostTransaction], advance: CursorAdvance(address: flby.mint.publicKey, role: .mint, newest: cursor, signatures: 1))
            try await store.write([], advance: CursorAdvance(address: account, role: .flbyAccount, newest: cursor, signatures: 1))
            try await IndexerFinalityTests.finalize(past: canonicalSlot + 30, rpc, server)
            // The only difference: the address is used again before the drop is detected.
            let later = try await flby.mint(300, to: holder)

            let restarted = Indexer(store: store, rpc: rpc, watched: watched, options: IndexerFinalityTests.options, logger: Self.logger)
            try await IndexerAcceptanceTests.running(restarted) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(90), "the later transaction indexed and the ghost dropped") {
                    while true {
                        let laterIndexed =
                            try await IndexerAcceptanceTests.count(
                                client, "SELECT count(*) FROM flutterbye.indexed_transactions WHERE signature = '\(later.base58)'") == 1
                        let ghostDropped = try await IndexerFinalityTests.isDropped(ghost, client)
                        if laterIndexed && ghostDropped { break }
                        _ = try await server.control(["advance_slots": 5])
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                // Some more settling and polling time for a rewind to act, then caught up.
                for _ in 0..<10 {
                    _ = try await server.control(["advance_slots": 5])
                    try await Task.sleep(for: .milliseconds(200))
                }
                try await IndexerAcceptanceTests.withTimeout(.seconds(30), "the indexer catching up") { await restarted.caughtUp() }
            }
            let canonicalIndexed = try await IndexerAcceptanceTests.count(
                client, "SELECT count(*) FROM flutterbye.indexed_transactions WHERE signature = '\(canonical.base58)'")
            #expect(canonicalIndexed == 1, "the chain's mint of 700 was never indexed")
            #expect(try await IndexerFinalityTests.supply(client) == "2000")
            let report = try await Reconciliation(store: store, rpc: rpc, watched: watched).run()
            #expect(report.differences.isEmpty, "\(report.differences)")
        }
    }
}
