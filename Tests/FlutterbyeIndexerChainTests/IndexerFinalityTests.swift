import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// Issue 17: a transaction the indexer stored is dropped only when the chain has really lost it. A lagging
/// non-archival endpoint (the local chain's `hidden` fault: null statuses, null getTransaction, left out of histories)
/// answering once must not drop it; a dropped transaction seen again comes back with its movements' events; and a
/// cursor at a dropped signature is rewound, so that a transaction the dead fork hid is still indexed.
@Suite("Indexer finality", .enabled(if: WorkerTestEnvironment.isAvailable))
struct IndexerFinalityTests {
    static let logger = Logger(label: "IndexerFinalityTests")

    /// The acceptance tests' polling and drop rule: three misses over at least 10 slots and 300 ms, each at least 20
    /// slots after the transaction; dropped ones checked again at every pass.
    static var options: IndexerOptions { IndexerAcceptanceTests.options }

    @Test(
        "one null status and one null getTransaction from a lagging endpoint do not drop a transaction; repeated misses do; seen again, it is restored with its events"
    )
    func aLaggingEndpointDoesNotDropATransaction() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_false_drop") { client, rpc, server in
            let (watched, store, indexer, hidden, hiddenSlot) = try await Self.indexedThenHidden(client, rpc, server)
            #expect(try await Self.supply(client) == "1500")

            try await indexer.settle()
            #expect(try await Self.isDropped(hidden, client) == false, "one null status and one null getTransaction dropped it")
            try await indexer.settle()
            #expect(try await Self.isDropped(hidden, client) == false, "two checks in the same moment dropped it")
            #expect(try await Self.supply(client) == "1500")

            // Misses spread over slots and time drop it.
            try await Self.settleUntilDropped(hidden, indexer, client, server)
            #expect(try await Self.supply(client) == "1000")
            #expect(
                try await IndexerAcceptanceTests.count(
                    client, "SELECT count(*) FROM flutterbye.events WHERE kind = 'transaction_dropped' AND signature = '\(hidden.base58)'") == 1)
            // The mint's cursor pointed at it, and now points before it.
            #expect(
                try await IndexerAcceptanceTests.count(
                    client,
                    "SELECT count(*) FROM flutterbye.index_cursors WHERE role = 'mint' AND (newest_slot IS NULL OR newest_slot < \(hiddenSlot))") == 1
            )

            // The endpoint catches up: the next pass sees it and restores it, and its movement is sent again.
            _ = try await server.control(["hidden": [String: [String]]()])
            try await indexer.settle()
            #expect(try await Self.isDropped(hidden, client) == false)
            #expect(try await Self.supply(client) == "1500")
            let report = try await Reconciliation(store: store, rpc: rpc, watched: watched).run()
            #expect(report.differences.isEmpty, "\(report.differences)")
            #expect(
                try await IndexerAcceptanceTests.count(
                    client, "SELECT count(*) FROM flutterbye.events WHERE kind = 'flby_movement' AND signature = '\(hidden.base58)'") == 2)
            #expect(
                try await IndexerAcceptanceTests.count(
                    client, "SELECT count(*) FROM flutterbye.flby_movements WHERE signature = '\(hidden.base58)' AND amount = 500") == 1)
        }
    }

    @Test("a dropped transaction listed again in an address's history (its cursor rewound) is restored with its events")
    func aDroppedTransactionSeenInAHistoryIsRestored() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_restore_history") { client, rpc, server in
            let (watched, store, indexer, hidden, _) = try await Self.indexedThenHidden(client, rpc, server)
            try await Self.settleUntilDropped(hidden, indexer, client, server)
            #expect(try await Self.supply(client) == "1000")

            // Visible again; dropped transactions are not checked again by status here: the histories list it again.
            _ = try await server.control(["hidden": [String: [String]]()])
            var options = Self.options
            options.dropPolicy.recheckFor = .zero
            let restarted = Indexer(store: store, rpc: rpc, watched: watched, options: options, logger: Self.logger)
            try await IndexerAcceptanceTests.running(restarted) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(30), "the transaction restored") {
                    while try await Self.isDropped(hidden, client) { try await Task.sleep(for: .milliseconds(100)) }
                }
            }
            #expect(try await Self.supply(client) == "1500")
            #expect(
                try await IndexerAcceptanceTests.count(
                    client, "SELECT count(*) FROM flutterbye.events WHERE kind = 'flby_movement' AND signature = '\(hidden.base58)'") == 2)
        }
    }

    @Test("a cursor at a transaction of a dead fork is rewound once it is dropped: a transaction before it on the chain is indexed")
    func aCursorAtADroppedSignatureIsRewound() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_rewind") { client, rpc, server in
            let indexed = try await IndexedHolder.make(client, rpc)
            // While the indexer is away, a transaction lands on the chain; the index meanwhile took a transaction of a
            // fork that died, one slot later, and moved the cursors of every address it named past the real one.
            let (canonical, ghost) = try await indexed.deadForkAfterMint(rpc, server)

            // A new process: it starts from the cursors the database has.
            let restarted = indexed.indexer(rpc)
            try await IndexerAcceptanceTests.running(restarted) {
                try await IndexerAcceptanceTests.withTimeout(.seconds(60), "the chain's transaction indexed") {
                    while try await IndexerAcceptanceTests.count(
                        client, "SELECT count(*) FROM flutterbye.indexed_transactions WHERE signature = '\(canonical.base58)'") == 0
                    {
                        _ = try await server.control(["advance_slots": 5])
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                try await IndexerAcceptanceTests.withTimeout(.seconds(30), "the indexer catching up") { await restarted.caughtUp() }
            }
            #expect(try await Self.isDropped(ghost, client) == true)
            try await indexed.expectReconciled(supply: "1700", client, rpc)
        }
    }

    @Test("a transaction stored in another slot than the chain has it (a fork that died, the transaction landed again) is replaced by the chain's")
    func aTransactionInAnotherSlotIsReplaced() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_moved") { client, rpc, server in
            let flby = try await FlbyActivity.create(rpc)
            let holder = Keypair.generate().publicKey
            _ = try await flby.open(for: holder)
            let minted = try await flby.mint(1_000, to: holder)
            let slot = try await flby.slot(of: minted)
            let account = try flby.account(of: holder)
            // What the index took from the dead fork: the same signature two slots earlier, minting 999.
            try await IndexStore(client: client, logger: Self.logger).write(
                [.storedMint(minted, slot: slot - 2, account: account, holder: holder, amount: 999, preAmount: 0, postAmount: 999)],
                advance: nil)
            let watched = WatchedAddresses(flbyMint: flby.mint.publicKey)
            let store = IndexStore(client: client, logger: Self.logger)
            let indexer = Indexer(store: store, rpc: rpc, watched: watched, options: Self.options, logger: Self.logger)
            try await Self.finalize(past: slot, rpc, server)
            try await indexer.settle()

            #expect(
                try await IndexerAcceptanceTests.count(
                    client, "SELECT count(*) FROM flutterbye.flby_movements WHERE signature = '\(minted.base58)' AND amount = 1000 AND slot = \(slot)"
                ) == 1)
            #expect(try await IndexerAcceptanceTests.count(client, "SELECT count(*) FROM flutterbye.indexed_transactions WHERE dropped") == 0)
            #expect(try await Self.supply(client) == "1000")
            // The client that was sent the dead fork's movement learns it is gone, then gets the chain's.
            #expect(
                try await IndexerAcceptanceTests.count(
                    client, "SELECT count(*) FROM flutterbye.events WHERE kind = 'transaction_dropped' AND signature = '\(minted.base58)'") == 1)
            #expect(
                try await IndexerAcceptanceTests.count(
                    client, "SELECT count(*) FROM flutterbye.events WHERE kind = 'flby_movement' AND signature = '\(minted.base58)'") == 2)
            let report = try await Reconciliation(store: store, rpc: rpc, watched: watched).run()
            #expect(report.differences.isEmpty, "\(report.differences)")
        }
    }

    // MARK: Support

    /// Waits until the chain's finalized slot has passed `slot`, moving the chain on.
    /// A holder's two mints (1,000 then 500 FLBY) indexed; then the 500's transaction is stored at confirmed again,
    /// the endpoint stops showing it (lagging) and the chain finalizes past it.
    static func indexedThenHidden(
        _ client: PostgresClient, _ rpc: SolanaRPCClient, _ server: LocalChainServer
    ) async throws -> (
        watched: WatchedAddresses, store: IndexStore, indexer: Indexer<PollingTransactionSource>, hidden: Signature, hiddenSlot: UInt64
    ) {
        let flby = try await FlbyActivity.create(rpc)
        let holder = Keypair.generate().publicKey
        _ = try await flby.open(for: holder)
        _ = try await flby.mint(1_000, to: holder)
        let hidden = try await flby.mint(500, to: holder)
        let hiddenSlot = try await flby.slot(of: hidden)
        let watched = WatchedAddresses(flbyMint: flby.mint.publicKey)
        let store = IndexStore(client: client, logger: logger)
        let indexer = Indexer(store: store, rpc: rpc, watched: watched, options: options, logger: logger)
        try await IndexerAcceptanceTests.running(indexer) {
            try await IndexerAcceptanceTests.withTimeout(.seconds(60), "the indexer catching up") { await indexer.caughtUp() }
        }
        // Stored at confirmed and not settled yet when the endpoint starts lagging.
        try await client.query("UPDATE flutterbye.chain_transactions SET finalized = false WHERE signature = \(hidden.base58)", logger: logger)
        _ = try await server.control(["hidden": ["signatures": [hidden.base58]]])
        try await finalize(past: hiddenSlot + 25, rpc, server)
        return (watched, store, indexer, hidden, hiddenSlot)
    }

    /// Settling passes spread over slots and time until `hidden` is dropped (at most 30 s).
    static func settleUntilDropped(
        _ hidden: Signature, _ indexer: Indexer<some TransactionSource>, _ client: PostgresClient, _ server: LocalChainServer
    ) async throws {
        try await IndexerAcceptanceTests.withTimeout(.seconds(30), "the transaction dropped") {
            while try await !isDropped(hidden, client) {
                _ = try await server.control(["advance_slots": 5])
                try await Task.sleep(for: .milliseconds(100))
                try await indexer.settle()
            }
        }
    }

    static func finalize(past slot: UInt64, _ rpc: SolanaRPCClient, _ server: LocalChainServer) async throws {
        let current = try await rpc.slot(commitment: .processed)
        if current < slot + 10 { _ = try await server.control(["advance_slots": Int(slot + 10 - current)]) }
        try await IndexerAcceptanceTests.withTimeout(.seconds(90), "the finalized slot passing \(slot)") {
            while try await rpc.slot(commitment: .finalized) <= slot { try await Task.sleep(for: .milliseconds(50)) }
        }
    }

    static func isDropped(_ signature: Signature, _ client: PostgresClient) async throws -> Bool {
        try await IndexerAcceptanceTests.count(
            client, "SELECT count(*) FROM flutterbye.indexed_transactions WHERE dropped AND signature = '\(signature.base58)'") == 1
    }

    static func supply(_ client: PostgresClient) async throws -> String {
        for try await supply in try await client.query("SELECT supply::text FROM flutterbye.flby_supply", logger: logger).decode(String.self) {
            return supply
        }
        return ""
    }
}
