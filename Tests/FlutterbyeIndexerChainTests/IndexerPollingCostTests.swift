import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// Issue 17: what the indexer asks the RPC for while nothing happens does not grow with the token accounts that were
/// opened and closed (which costs an attacker only fees): closed accounts are not polled.
@Suite("Indexer polling cost", .enabled(if: WorkerTestEnvironment.isAvailable))
struct IndexerPollingCostTests {
    static let logger = Logger(label: "IndexerPollingCostTests")

    /// The same history on two chains, one with 60 token accounts opened and closed again besides it, each indexed by
    /// an indexer of its own; then both chains count the JSON-RPC calls they receive, per method, over the same 6 s.
    @Test("over a quiet period, the RPC calls per method with 60 closed token accounts are those without them")
    func closedAccountsAreNotPolled() async throws {
        try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_churn_none") { plainClient, plainRPC, plainServer in
            try await IndexerAcceptanceTests.withIndexEnvironment(database: "index_churn_60") { churnClient, churnRPC, churnServer in
                let plainHistory = try GeneratedHistory(rpcURL: plainServer.url, arguments: ["--mix", "churn", "--count", "0", "--seed", "11"])
                let churnHistory = try GeneratedHistory(rpcURL: churnServer.url, arguments: ["--mix", "churn", "--count", "60", "--seed", "11"])
                let plainExpected = try await plainHistory.expected()
                let churnExpected = try await churnHistory.expected()
                try #require(churnExpected.transactions.filter { $0.kind == "churn_close" }.count == 60)
                let plain = Indexer(
                    store: IndexStore(client: plainClient, logger: Self.logger), rpc: plainRPC,
                    watched: try IndexerAcceptanceTests.watched(try await plainHistory.setup()), options: IndexerAcceptanceTests.options,
                    logger: Self.logger)
                let churned = Indexer(
                    store: IndexStore(client: churnClient, logger: Self.logger), rpc: churnRPC,
                    watched: try IndexerAcceptanceTests.watched(try await churnHistory.setup()), options: IndexerAcceptanceTests.options,
                    logger: Self.logger)
                try await IndexerAcceptanceTests.running(plain) {
                    try await IndexerAcceptanceTests.running(churned) {
                        try await IndexerAcceptanceTests.withTimeout(.seconds(120), "both indexers catching up") {
                            await plain.caughtUp()
                            await churned.caughtUp()
                        }
                        // Every closed account's history was read to its end before it stopped being polled.
                        #expect(try await IndexedViews.read(plainClient, logger: Self.logger).differences(from: IndexedViews(plainExpected)) == [])
                        #expect(try await IndexedViews.read(churnClient, logger: Self.logger).differences(from: IndexedViews(churnExpected)) == [])
                        try await Self.settled(plainClient)
                        try await Self.settled(churnClient)
                        // Discovery no longer finds them, and a quiet poll since read their histories to the end.
                        try await IndexerAcceptanceTests.withTimeout(.seconds(30), "the 60 accounts closed") {
                            while try await IndexerAcceptanceTests.count(
                                churnClient, "SELECT count(*) FROM flutterbye.index_cursors WHERE closed_slot IS NOT NULL") < 60
                            {
                                try await Task.sleep(for: .milliseconds(100))
                            }
                        }
                        #expect(
                            try await IndexerAcceptanceTests.count(
                                plainClient, "SELECT count(*) FROM flutterbye.index_cursors WHERE closed_slot IS NOT NULL") == 0)

                        _ = try await plainServer.control(["reset_counters": true])
                        _ = try await churnServer.control(["reset_counters": true])
                        try await Task.sleep(for: .seconds(6))
                        let plainCalls = try await Self.requests(plainServer)
                        let churnCalls = try await Self.requests(churnServer)
                        print("JSON-RPC calls in 6 s without closed accounts: \(plainCalls); with 60: \(churnCalls)")
                        #expect((plainCalls["getSignaturesForAddress"] ?? 0) > 0)
                        for (method, calls) in churnCalls {
                            let without = plainCalls[method] ?? 0
                            #expect(calls <= without * 5 / 4 + 10, "\(method): \(calls) calls with 60 closed accounts, \(without) without")
                        }
                    }
                }
            }
        }
    }

    /// Waits until every indexed transaction is finalized (so that settling asks for no statuses).
    static func settled(_ client: PostgresClient) async throws {
        try await IndexerAcceptanceTests.withTimeout(.seconds(30), "every row finalized") {
            while try await IndexerAcceptanceTests.count(client, "SELECT count(*) FROM flutterbye.indexed_transactions WHERE NOT finalized") > 0 {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// The chain's JSON-RPC requests by method since its counters were reset.
    static func requests(_ server: LocalChainServer) async throws -> [String: Int] {
        let state = try await server.controlState()
        let requests = (state["counters"] as? [String: Any])?["requests"] as? [String: Any] ?? [:]
        return requests.mapValues { ($0 as? Int) ?? 0 }
    }
}
