import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// An endpoint whose ledger was pruned (a node with the default ledger limit keeps a day or two; the local chain's
/// `first_available_block`) does not know a cursor older than its ledger: asked for the history `until` it, it lists
/// what it keeps, a short page like the history's end. The indexer took it as the end and moved the cursor past the
/// transactions in between, for good (analytics short by them, silently). Its polls after a gap now ask the node
/// where its ledger starts, in the same batch, and refuse such a read, so the cursor stays until an endpoint keeps the
/// history again.
@Suite("Indexer against a pruned ledger", .enabled(if: WorkerTestEnvironment.isAvailable))
struct PrunedLedgerTests {
    static func indexed(_ signatures: [Signature], _ client: PostgresClient) async throws -> Int64 {
        try await IndexerAcceptanceTests.count(
            client,
            "SELECT count(*) FROM flutterbye.indexed_transactions WHERE signature IN (\(signatures.map { "'\($0.base58)'" }.joined(separator: ", ")))"
        )
    }

    /// With `justStartedFromASnapshot`, the node has a single root, and Agave's `getFirstAvailableBlock` then answers 0
    /// (its blockstore finds no second root and answers the default), as if it kept every block since genesis.
    @Test(
        "a node whose ledger starts after the cursors moves no cursor past what it no longer keeps; an archive then reads it all",
        arguments: [false, true])
    func aPrunedLedgerNeverMovesACursorPastWhatItLost(justStartedFromASnapshot: Bool) async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: justStartedFromASnapshot ? "index_snapshot_ledger" : "index_pruned_ledger") {
            client, rpc, server in
            let indexed = try await IndexedHolder.make(client, rpc)
            #expect(try await IndexerFinalityTests.supply(client) == "1000")

            // While the indexer is down: two mints, then the node prunes its ledger below the second one's slot.
            let lost = try await indexed.flby.mint(200, to: indexed.holder)
            let kept = try await indexed.flby.mint(30, to: indexed.holder)
            let keptSlot = try await indexed.flby.slot(of: kept)
            // A node's ledger starts at a root: finalized, so the node lists it (`getBlocksWithLimit`).
            try await IndexerFinalityTests.finalize(past: keptSlot, rpc, server)
            _ = try await server.control([
                "first_available_block": Int(keptSlot), "snapshot_start": justStartedFromASnapshot, "reset_counters": true,
            ])

            let restarted = indexed.indexer(rpc)
            try await IndexerAcceptanceTests.running(restarted) {
                // Several polls asked where the ledger starts, and were refused: nothing of the gap is indexed (before,
                // the kept mint was, and the cursor moved past the lost one).
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "polls against the pruned ledger") {
                    while (try await IndexerPollingCostTests.requests(server)["getFirstAvailableBlock"] ?? 0) < 3,
                        try await Self.indexed([lost, kept], client) == 0
                    {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                #expect(try await Self.indexed([lost, kept], client) == 0, "the cursor moved past what the pruned ledger lost")
                #expect(try await IndexerFinalityTests.supply(client) == "1000")

                // The endpoint keeps the whole history again (an archive behind the same URL): all of it is read.
                _ = try await server.control(["first_available_block": 0, "snapshot_start": false])
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "catching up") { await restarted.caughtUp() }
            }
            #expect(try await Self.indexed([lost, kept], client) == 2)
            try await indexed.expectReconciled(supply: "1230", client, rpc)
        }
    }

    /// Caught up a moment ago, an address's next poll does not ask: the check costs a call only after a gap.
    @Test("polls of addresses caught up a moment ago do not ask where the node's ledger starts")
    func caughtUpAddressesCostNoLedgerCall() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_ledger_cost") { client, rpc, server in
            let indexed = try await IndexedHolder.make(client, rpc, minted: 0)
            let indexer = indexed.indexer(rpc)
            try await IndexerAcceptanceTests.running(indexer) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "catching up") { await indexer.caughtUp() }
                _ = try await server.control(["reset_counters": true])
                for amount in [5, 6, 7] as [UInt64] { _ = try await indexed.flby.mint(amount, to: indexed.holder) }
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "catching up") { await indexer.caughtUp() }
                let requests = try await IndexerPollingCostTests.requests(server)
                #expect((requests["getSignaturesForAddress"] ?? 0) > 0)
                #expect(requests["getFirstAvailableBlock"] == nil, "\(requests)")
            }
            #expect(try await IndexerFinalityTests.supply(client) == "18")
        }
    }
}
