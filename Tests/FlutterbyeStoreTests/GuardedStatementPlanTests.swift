import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// The queue's statements on jobs named by id read them through the primary key whatever the planner's statistics
/// say. Analyzed while no job held a lease (an idle queue, when autovacuum usually gets to it), the index of leased
/// jobs looks empty; a statement whose state condition fits that index's predicate then scans every leased job, and
/// every dead entry since the last vacuum, on each call, until the next ANALYZE.
@Suite(
    "Statement plans against PostgreSQL",
    .enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"),
    .serialized)
struct GuardedStatementPlanTests {
    static let jobs = 400

    /// Index reads so far: tuples read from the leased jobs' index, scans of the primary key. The pool has one
    /// connection, the queue's: its pending statistics are flushed before they are read.
    func indexReads(_ client: PostgresClient) async throws -> (leasedTuples: Int, primaryKeyScans: Int) {
        try await client.query("SELECT pg_stat_force_next_flush()", logger: TestDatabase.logger)
        let rows = try await client.query(
            """
            SELECT (SELECT idx_tup_read FROM pg_stat_user_indexes WHERE indexrelname = 'token_jobs_leased')::int8,
                   (SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'token_jobs_pkey')::int8
            """, logger: TestDatabase.logger)
        for try await (leased, primary) in rows.decode((Int, Int).self) { return (leased, primary) }
        throw TestSupportError("pg_stat_user_indexes returned no row")
    }

    @Test func guardedStepsReadJobsByTheirPrimaryKeyWhenTheStatisticsSayNoJobIsLeased() async throws {
        var database = try DatabaseConfiguration(url: try TestDatabase.requiredURL())
        try await TestDatabase.createDatabase("flutterbye_plans", on: database)
        database.database = "flutterbye_plans"
        var configuration = database.clientConfiguration
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await SchemaMigrator.bundled().apply(on: client, logger: TestDatabase.logger)
            try await client.query("TRUNCATE flutterbye.token_jobs", logger: TestDatabase.logger)
            let queue = TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0)
            for index in 0..<Self.jobs {
                _ = try await queue.enqueue(TokenJobQueueTests.request("plan-\(index)"))
            }
            // Statistics taken while nothing is leased, as autovacuum takes them on an idle queue.
            try await client.query("VACUUM ANALYZE flutterbye.token_jobs", logger: TestDatabase.logger)
            var leases: [JobLease] = []
            while leases.count < Self.jobs {
                let claimed = try await queue.claim(workerID: "plans", limit: 10, lease: .seconds(60)).compactMap(\.lease)
                guard !claimed.isEmpty else { break }
                leases += claimed
            }
            try #require(leases.count == Self.jobs)
            let confirmed = Array(leases[0..<100])
            #expect(try await queue.markConfirmed(confirmed.map { ($0, "sig-\($0.jobID)") }).count == 100)

            let before = try await indexReads(client)
            #expect(try await queue.markFinalized(jobIDs: confirmed[0..<10].map(\.jobID)).count == 10)
            let submissions = leases[100..<110].map {
                TransactionSubmission(
                    lease: $0, mintAddress: "mint-\($0.jobID)", signature: "sig-\($0.jobID)", rawTransaction: [1], lastValidBlockHeight: 1)
            }
            #expect(try await queue.recordSubmissions(submissions).count == 10)
            #expect(try await queue.markConfirmed(leases[110..<120].map { ($0, "sig-\($0.jobID)") }).count == 10)
            #expect(try await queue.renewLeases(Array(leases[120..<130]), lease: .seconds(60)).count == 10)
            #expect(try await queue.release(Array(leases[130..<140])).count == 10)
            _ = try await queue.recordFailure(leases[140], errorClass: "rpc", message: "test", permanent: false, retryAt: Date())
            let after = try await indexReads(client)

            #expect(after.primaryKeyScans > before.primaryKeyScans, "the statements went through the primary key")
            #expect(
                after.leasedTuples == before.leasedTuples,
                "statements on jobs by id read \(after.leasedTuples - before.leasedTuples) entries of the leased jobs' index")
        }
    }
}
