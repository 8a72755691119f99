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
    @Test("a cursor that moved past a dropped signature before the drop still gets what the dead fork hid")
    func aCursorThatMovedPastADroppedSignatureStillGetsWhatTheDeadForkHid() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_rewind_moved_on") { client, rpc, server in
            let indexed = try await IndexedHolder.make(client, rpc)
            let (canonical, ghost) = try await indexed.deadForkAfterMint(rpc, server)
            // The only difference from aCursorAtADroppedSignatureIsRewound: the address is used again before the drop.
            let later = try await indexed.flby.mint(300, to: indexed.holder)

            let restarted = indexed.indexer(rpc)
            try await IndexerAcceptanceTests.running(restarted) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(90), "the later transaction indexed and the ghost dropped") {
                    while true {
                        let laterIndexed =
                            try await IndexerAcceptanceTests.count(
                                client, "SELECT count(*) FROM flutterbye.indexed_transactions WHERE signature = '\(later.base58)'") == 1
                        if laterIndexed, try await IndexerFinalityTests.isDropped(ghost, client) { break }
                        _ = try await server.control(["advance_slots": 5])
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                try await IndexerAcceptanceTests.withTimeout(.seconds(30), "the indexer catching up") { await restarted.caughtUp() }
            }
            #expect(
                try await IndexerAcceptanceTests.count(
                    client, "SELECT count(*) FROM flutterbye.indexed_transactions WHERE signature = '\(canonical.base58)'") == 1,
                "the chain's mint of 700, which the dead fork hid, is indexed")
            try await indexed.expectReconciled(supply: "2000", client, rpc)
        }
    }
}
