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

    /// Tuples of `chain_transactions` read so far, by sequential scans and through indexes (the pool's one connection's
    /// pending statistics flushed first).
    static func transactionReads(_ client: PostgresClient) async throws -> Int {
        try await client.query("SELECT pg_stat_force_next_flush()", logger: logger)
        return try await TestDatabase.count(
            """
            SELECT (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::int8 FROM pg_stat_user_tables
            WHERE schemaname = 'flutterbye' AND relname = 'chain_transactions'
            """, on: client)
    }

    @Test(arguments: [true, false])
    func theStatusReadsAFewTransactionsNotAll(someUnsettled: Bool) async throws {
        var database = try DatabaseConfiguration(url: try TestDatabase.requiredURL())
        try await TestDatabase.createDatabase("flutterbye_status_cost", on: database)
        database.database = "flutterbye_status_cost"
        var configuration = database.clientConfiguration
        configuration.options.maximumConnections = 1
        try await TestDatabase.withClient(configuration) { client in
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
            let before = try await Self.transactionReads(client)
            let status = try await store.status()
            let read = try await Self.transactionReads(client) - before
            #expect(status.newestIndexedSlot == UInt64(Self.transactions - 1), "the newest not dropped")
            #expect(
                status.finalizedWatermark == UInt64(someUnsettled ? Self.transactions - 3 : Self.transactions),
                "all settled: the newest, dropped or not")
            #expect(read < 50, "\(read) transactions read of \(Self.transactions)")
        }
    }
}
