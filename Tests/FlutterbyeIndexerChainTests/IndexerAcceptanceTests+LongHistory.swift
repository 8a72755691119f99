import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Logging
import Testing

/// A history longer than one page of signatures, read whole and in parts.
extension IndexerAcceptanceTests {
    /// The same history twice from an empty index: in pages of 1000 (the node's largest), then in pages of 100 with
    /// 300 signatures held, so that the fee wallet's first read is indexed in parts (`SignatureHistory.read`).
    @Test("more than 1000 signatures for one address (the fee wallet) are indexed completely, across pages, and in parts")
    func aHistoryLongerThanOnePage() async throws {
        try await Self.withIndexEnvironment(database: "index_long") { client, rpc, server in
            let history = try GeneratedHistory(rpcURL: server.url, arguments: ["--mix", "fee-payments", "--count", "1050", "--seed", "7"])
            let setup = try await history.setup()
            let watched = try Self.watched(setup)
            let expected = try await history.expected()
            let feeSignatures = expected.wallet_activity.filter { $0.wallet == "fee" }.count
            #expect(feeSignatures > 1000)
            var inParts = Self.options
            inParts.polling.pageSize = 100
            inParts.polling.signaturesHeld = 300
            for options in [Self.options, inParts] {
                try await Self.emptyIndex(client)
                let store = IndexStore(client: client, logger: Self.logger)
                let captured = CapturedLog()
                let logger = Logger(label: "IndexerAcceptanceTests") { _ in captured }
                let indexer = Indexer(store: store, rpc: rpc, watched: watched, options: options, logger: logger)
                try await Self.running(indexer) {
                    try await Self.withTimeout(.seconds(180), "the indexer catching up") { await indexer.caughtUp() }
                }
                let pages = "pages of \(options.polling.pageSize)"
                #expect(
                    try await Self.count(client, "SELECT signatures_seen FROM flutterbye.index_cursors WHERE role = 'fee'") >= Int64(feeSignatures),
                    "\(pages)")
                let views = try await IndexedViews.read(client, logger: Self.logger)
                #expect(views.differences(from: IndexedViews(expected)) == [], "\(pages)")
                let report = try await Reconciliation(store: store, rpc: rpc, watched: watched).run()
                #expect(report.differences.isEmpty, "\(pages): \(report.differences)")
                // The fee wallet's history was read in parts exactly when fewer signatures are held than it has.
                let inPartsSaid = captured.lines.withLock { lines in
                    lines.contains { $0.contains("the history of \(setup.fee)") && $0.contains("oldest first, reading") }
                }
                #expect(inPartsSaid == (options.polling.signaturesHeld < feeSignatures), "\(pages)")
            }
        }
    }
}
