import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// What reading the index's status costs, counted by PostgreSQL's statistics through a pool of one connection: the
/// indexed transactions are never pruned, and the status is read for every open status page (shared, every 2 s) and
/// by the gauges every 10 s, so it must not read every transaction.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs PostgreSQL: run Tests/run"), .serialized)
struct IndexStatusCostTests {
    static let logger = Logger(label: "IndexStatusCostTests")
    static let transactions = 5_000

    @Test(arguments: [true, false])
    func theStatusReadsAFewTransactionsNotAll(someUnsettled: Bool) async throws {
        try await TestDatabase.withOneConnection(database: "flutterbye_status_cost") { client in
            try await SchemaMigrator.bundled().apply(on: client, logger: Self.logger)
            try await client.query("TRUNCATE flutterbye.chain_transactions, flutterbye.chain_address_cursors CASCADE", logger: Self.logger)
            // Finalized history, the newest transaction dropped, and (in one case) the newest few not settled yet.
            try await client.query(
                """
                INSERT INTO flutterbye.chain_transactions (signature, slot, fee, finalized, dropped)
                SELECT 'sig-' || n, n, 5000, NOT (\(someUnsettled) AND n > \(Self.transactions - 3)), n = \(Self.transactions)
                FROM generate_series(1, \(Self.transactions)) AS n
                """, logger: Self.logger)
            try await client.query("ANALYZE flutterbye.chain_transactions", logger: Self.logger)
            let store = IndexStore(client: client, logger: Self.logger)
            let before = try await TestDatabase.tableReads("chain_transactions", on: client)
            let status = try await store.status()
            let read = try await TestDatabase.tableReads("chain_transactions", on: client) - before
            #expect(status.newestIndexedSlot == UInt64(Self.transactions - 1), "the newest not dropped")
            #expect(
                status.finalizedWatermark == UInt64(someUnsettled ? Self.transactions - 3 : Self.transactions),
                "all settled: the newest, dropped or not")
            #expect(read < 50, "\(read) transactions read of \(Self.transactions)")
        }
    }
}
