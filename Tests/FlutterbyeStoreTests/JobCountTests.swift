import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// The counts by state stay exact whoever changes the jobs: the queue finalizing them, the pruner, and an operator's
/// SQL inserting, updating, deleting or truncating; after each change `countsByState` equals a count of every job.
@Suite(
    "Job counts by state against PostgreSQL",
    .enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"),
    .serialized)
struct JobCountTests {
    /// Every job counted by state the plain way, reading the whole table.
    static func countedByScan(_ client: PostgresClient) async throws -> [TokenJobState: Int] {
        var counts: [TokenJobState: Int] = [:]
        let rows = try await client.query(
            "SELECT state, count(*)::int8 FROM flutterbye.token_jobs GROUP BY state", logger: TestDatabase.logger)
        for try await (state, n) in rows.decode((String, Int64).self) {
            counts[try #require(TokenJobState(rawValue: state))] = Int(n)
        }
        return counts
    }

    /// Inserts `count` finished jobs by hand, as an operator's SQL would: keys `prefix-1` to `prefix-count`, the first
    /// `failed` of them failed and the rest finalized.
    static func insertFinishedJobs(_ client: PostgresClient, prefix: String, count: Int, failed: Int = 0) async throws {
        try await client.query(
            """
            INSERT INTO flutterbye.token_jobs (idempotency_key, token_program, decimals, name, symbol, uri, amount, recipient,
                state, attempt, signature, signatures, confirmed_at, finalized_at, finished_at)
            SELECT \(prefix) || '-' || g, 'token', 6, 'Kept', 'KEPT', 'https://flutterbye.example/kept.json', 1,
                \(TokenJobQueueTests.recipient), CASE WHEN g <= \(failed) THEN 'failed' ELSE 'finalized' END, 1,
                'sig-' || \(prefix) || '-' || g, ARRAY['sig-' || \(prefix) || '-' || g], now(), now(), now()
            FROM generate_series(1, \(count)) AS g
            """, logger: TestDatabase.logger)
    }

    @Test func countsStayExactThroughEveryKindOfWrite() async throws {
        try await TestDatabase.withOneConnection(database: "flutterbye_counts") { client in
            try await SchemaMigrator.bundled().apply(on: client, logger: TestDatabase.logger)
            try await client.query("TRUNCATE flutterbye.token_jobs", logger: TestDatabase.logger)
            let queue = TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0)
            func expectExact(_ step: Comment, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                let counts = try await queue.countsByState()
                let scanned = try await Self.countedByScan(client)
                #expect(counts.filter { $0.value != 0 } == scanned, step, sourceLocation: sourceLocation)
            }
            try await expectExact("an empty table")

            for index in 0..<30 {
                _ = try await queue.enqueue(TokenJobQueueTests.request("count-\(index)"))
            }
            let leases = try await queue.claim(workerID: "counts", limit: 20, lease: .seconds(60)).compactMap(\.lease)
            #expect(try await queue.markConfirmed(leases.map { ($0, "sig-\($0.jobID)") }).count == 20)
            #expect(try await queue.markFinalized(jobIDs: leases[0..<15].map(\.jobID)).count == 15)
            #expect(try await queue.markFinalized(jobIDs: leases[0..<16].map(\.jobID)).count == 1, "finalized twice")
            try await expectExact("finalized by the queue")
            #expect(try await queue.countsByState()[.finalized] == 16)

            // An operator's SQL: one job put back, finalized ones inserted, some deleted.
            try await client.query(
                "UPDATE flutterbye.token_jobs SET state = 'failed' WHERE id = \(leases[0].jobID)", logger: TestDatabase.logger)
            try await expectExact("a finalized job failed by hand")
            try await Self.insertFinishedJobs(client, prefix: "imported", count: 7)
            try await expectExact("finalized jobs inserted by hand")
            try await client.query(
                "DELETE FROM flutterbye.token_jobs WHERE idempotency_key IN ('imported-1', 'imported-2', 'count-29')", logger: TestDatabase.logger)
            try await expectExact("jobs deleted by hand")

            // The pruner.
            #expect(try await queue.prune(finishedBefore: Date().addingTimeInterval(60)) == 21)
            try await expectExact("pruned")
            #expect(try await queue.countsByState()[.finalized] == nil)

            try await queue.markFinalized(jobIDs: leases[16..<20].map(\.jobID))
            try await client.query("TRUNCATE flutterbye.token_jobs", logger: TestDatabase.logger)
            try await expectExact("truncated")
        }
    }

    /// A database from before schema version 17, with finalized jobs kept: applying the schema seeds the count with
    /// them, and the triggers keep it from there.
    @Test func upgradingSeedsTheCountWithTheFinalizedJobsKept() async throws {
        try await TestDatabase.withOneConnection(database: "flutterbye_counts_upgrade") { client in
            let migrator = try SchemaMigrator.bundled()
            try await migrator.apply(on: client, logger: TestDatabase.logger)
            // What version 16 left: no count, no triggers, and 12 finalized jobs beside 3 failed ones.
            try await client.query("DROP TABLE flutterbye.token_jobs_finalized", logger: TestDatabase.logger)
            for trigger in [
                "token_jobs_finalized_inserted", "token_jobs_finalized_changed", "token_jobs_finalized_deleted", "token_jobs_finalized_truncated",
            ] {
                try await client.query(PostgresQuery(unsafeSQL: "DROP TRIGGER \(trigger) ON flutterbye.token_jobs"), logger: TestDatabase.logger)
            }
            try await client.query("TRUNCATE flutterbye.token_jobs", logger: TestDatabase.logger)
            try await Self.insertFinishedJobs(client, prefix: "before", count: 15, failed: 3)

            try await migrator.apply(on: client, logger: TestDatabase.logger, always: true)
            let queue = TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0)
            #expect(try await queue.countsByState() == [.finalized: 12, .failed: 3])
            try await client.query("DELETE FROM flutterbye.token_jobs WHERE idempotency_key = 'before-15'", logger: TestDatabase.logger)
            #expect(try await queue.countsByState() == [.finalized: 11, .failed: 3])
        }
    }
}
