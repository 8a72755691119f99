import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// What the queue's statements read, counted by PostgreSQL's statistics: statements on jobs named by id read them
/// through the primary key whatever the planner's statistics say, and the status figures (the last hour's, the counts
/// by state, a page of failed jobs) read the jobs they are about, not every job kept.
@Suite(
    "Statement plans against PostgreSQL",
    .enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"),
    .serialized)
struct StatementPlanTests {
    static let jobs = 400

    /// Index reads so far: tuples read from the leased jobs' index, scans of the primary key.
    func indexReads(_ client: PostgresClient) async throws -> (leasedTuples: Int, primaryKeyScans: Int) {
        (
            try await TestDatabase.statistic("SELECT idx_tup_read FROM pg_stat_user_indexes WHERE indexrelname = 'token_jobs_leased'", on: client),
            try await TestDatabase.statistic("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'token_jobs_pkey'", on: client)
        )
    }

    /// Tuples of the job table read so far, by sequential scans and through indexes.
    func jobTableReads(_ client: PostgresClient) async throws -> Int {
        try await TestDatabase.tableReads("token_jobs", on: client)
    }

    /// Inserts 20,000 finished jobs, job `g` (the newest last) finished `olderThan` and `g` half-minutes ago: failed or
    /// cancelled as the SQL expression `failedOrCancelled` of `g` says, finalized when it gives NULL.
    func keepFinishedJobs(_ client: PostgresClient, olderThan: String, failedOrCancelled: String) async throws {
        var binds = PostgresBindings()
        binds.append(TokenJobQueueTests.recipient)
        try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO flutterbye.token_jobs (idempotency_key, token_program, decimals, name, symbol, uri, amount, recipient,
                        state, attempt, signature, signatures, created_at, confirmed_at, finalized_at, finished_at)
                    SELECT 'kept-' || g, 'token', 6, 'Kept', 'KEPT', 'https://flutterbye.example/kept.json', 1, $1,
                        coalesce(ended, 'finalized'), 1,
                        CASE WHEN ended IS NULL THEN 'sig-' || g END, CASE WHEN ended IS NULL THEN ARRAY['sig-' || g] ELSE '{}' END,
                        created, CASE WHEN ended IS NULL THEN created + interval '3 seconds' END,
                        CASE WHEN ended IS NULL THEN created + interval '15 seconds' END, created + interval '15 seconds'
                    FROM (SELECT g, \(failedOrCancelled) AS ended, now() - interval '\(olderThan)' - g * interval '30 seconds' AS created
                          FROM generate_series(1, 20000) AS g) AS kept
                    """, binds: binds), logger: TestDatabase.logger)
    }

    /// Runs `body` with a queue on an empty job table of this suite's database, through a pool of one connection.
    func withQueue(_ body: (TokenJobQueue, PostgresClient) async throws -> Void) async throws {
        try await TestDatabase.withOneConnection(database: "flutterbye_plans") { client in
            try await SchemaMigrator.bundled().apply(on: client, logger: TestDatabase.logger)
            try await client.query("TRUNCATE flutterbye.token_jobs", logger: TestDatabase.logger)
            try await body(TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0), client)
        }
    }

    @Test func guardedStepsReadJobsByTheirPrimaryKeyWhenTheStatisticsSayNoJobIsLeased() async throws {
        try await withQueue { queue, client in
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

    /// The claim's plan is made once per connection (schema version 19): made while the job table was empty, it still
    /// reads the jobs it claims through the indexes once 20,000 jobs are kept and 400 wait.
    @Test func aClaimPlannedOnAnEmptyTableReadsTheJobsItClaimsNotEveryJobKept() async throws {
        try await withQueue { queue, client in
            try await client.query("ANALYZE flutterbye.token_jobs", logger: TestDatabase.logger)
            for _ in 0..<3 {
                #expect(try await queue.claim(workerID: "plans", limit: 10, lease: .seconds(60)).isEmpty)
            }
            try await keepFinishedJobs(client, olderThan: "2 hours", failedOrCancelled: "NULL")
            for index in 0..<Self.jobs {
                _ = try await queue.enqueue(TokenJobQueueTests.request("claim-\(index)"))
            }

            let before = try await jobTableReads(client)
            var claimed = 0
            for _ in 0..<10 {
                claimed += try await queue.claim(workerID: "plans", limit: 10, lease: .seconds(60)).count
            }
            let after = try await jobTableReads(client)

            #expect(claimed == 100)
            #expect(after - before < 1_000, "100 claims read \(after - before) rows of the job table, which keeps 20,400")
        }
    }

    @Test func theLastHoursFiguresReadThatHoursJobsNotEveryJobKept() async throws {
        try await withQueue { queue, client in
            // A week of finished jobs kept (FLUTTERBYE_JOB_RETENTION_HOURS), all of them older than the hour.
            try await keepFinishedJobs(client, olderThan: "2 hours", failedOrCancelled: "CASE WHEN g % 50 = 0 THEN 'failed' END")
            for index in 0..<5 {
                _ = try await queue.enqueue(TokenJobQueueTests.request("recent-\(index)"))
            }
            let leases = try await queue.claim(workerID: "plans", limit: 5, lease: .seconds(60)).compactMap(\.lease)
            #expect(try await queue.markConfirmed(leases.map { ($0, "sig-\($0.jobID)") }).count == 5)
            try await client.query("VACUUM ANALYZE flutterbye.token_jobs", logger: TestDatabase.logger)

            let before = try await jobTableReads(client)
            let statistics = try await queue.statistics(window: .seconds(3600))
            let minutes = try await queue.minutes(count: 60)
            let after = try await jobTableReads(client)

            #expect(statistics.confirmed == 5 && statistics.failed == 0)
            #expect(minutes.reduce(0) { $0 + $1.confirmed } == 5)
            #expect(after - before < 1_000, "the last hour's figures read \(after - before) rows of the job table, which keeps 20,005")
        }
    }

    @Test func aPageOfFailedOrCancelledJobsReadsThoseJobsNotEveryJobKept() async throws {
        try await withQueue { queue, client in
            // A week of finalized jobs kept, and the oldest eight failed or cancelled: a walk from the newest job passes
            // every other job before it reaches them.
            try await keepFinishedJobs(
                client, olderThan: "0 seconds", failedOrCancelled: "CASE WHEN g <= 5 THEN 'failed' WHEN g <= 8 THEN 'cancelled' END")
            try await client.query("VACUUM ANALYZE flutterbye.token_jobs", logger: TestDatabase.logger)

            let before = try await jobTableReads(client)
            let failed = try await queue.jobs(state: .failed, limit: 50, before: nil)
            let cancelled = try await queue.jobs(state: .cancelled, limit: 50, before: nil)
            let after = try await jobTableReads(client)

            #expect(failed.count == 5 && failed.allSatisfy { $0.state == .failed } && failed.map(\.id) == failed.map(\.id).sorted(by: >))
            #expect(cancelled.count == 3 && cancelled.allSatisfy { $0.state == .cancelled })
            #expect(after - before < 1_000, "two pages of failed and cancelled jobs read \(after - before) rows of the job table, which keeps 20,000")
        }
    }

    /// The oldest waiting job's age (GET /v1/stats, the gauge sampled every few seconds) reads the waiting jobs through
    /// the runnable jobs' index, also when half of them were scheduled before they were enqueued.
    @Test func theOldestWaitingJobsAgeReadsTheWaitingJobsNotEveryJobKept() async throws {
        try await withQueue { queue, client in
            try await keepFinishedJobs(client, olderThan: "2 hours", failedOrCancelled: "NULL")
            for index in 0..<Self.jobs {
                let scheduledAt = index.isMultiple(of: 2) ? Date(timeIntervalSince1970: 1_577_836_800) : nil
                _ = try await queue.enqueue(TokenJobQueueTests.request("waiting-\(index)", scheduledAt: scheduledAt))
            }
            try await client.query("VACUUM ANALYZE flutterbye.token_jobs", logger: TestDatabase.logger)
            let runnableScans: PostgresQuery = "SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'token_jobs_runnable'"

            let before = (reads: try await jobTableReads(client), scans: try await TestDatabase.statistic(runnableScans, on: client))
            let age = try await queue.oldestWaitingJobAge()
            let after = (reads: try await jobTableReads(client), scans: try await TestDatabase.statistic(runnableScans, on: client))

            #expect(age < .seconds(60), "\(age)")
            #expect(after.scans > before.scans, "the age was read through the runnable jobs' index")
            #expect(after.reads - before.reads < 1_000, "the age read \(after.reads - before.reads) rows of the job table, which keeps 20,400")
        }
    }

    @Test func countsByStateReadTheJobsInFlightNotEveryJobKept() async throws {
        try await withQueue { queue, client in
            try await keepFinishedJobs(
                client, olderThan: "0 seconds", failedOrCancelled: "CASE WHEN g % 100 = 0 THEN 'failed' WHEN g % 101 = 0 THEN 'cancelled' END")
            for index in 0..<12 {
                _ = try await queue.enqueue(TokenJobQueueTests.request("in-flight-\(index)"))
            }
            let leases = try await queue.claim(workerID: "plans", limit: 6, lease: .seconds(60)).compactMap(\.lease)
            #expect(try await queue.markConfirmed(leases[0..<4].map { ($0, "sig-\($0.jobID)") }).count == 4)
            #expect(try await queue.markFinalized(jobIDs: leases[0..<3].map(\.jobID)).count == 3)
            try await client.query("VACUUM ANALYZE flutterbye.token_jobs", logger: TestDatabase.logger)

            let before = try await jobTableReads(client)
            let counts = try await queue.countsByState()
            let after = try await jobTableReads(client)

            #expect(counts == (try await JobCountTests.countedByScan(client)))
            #expect(counts[.finalized] == 20_000 - 200 - 197 + 3 && counts[.confirmed] == 1 && counts[.available] == 6 && counts[.running] == 2)
            #expect(after - before < 1_000, "counting jobs by state read \(after - before) rows of the job table, which keeps 20,012")
        }
    }
}
