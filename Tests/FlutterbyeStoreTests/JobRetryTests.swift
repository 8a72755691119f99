import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// An operator's retry of a failed job: a fresh set of the attempts it was enqueued with, numbered after the ones the
/// job already had, so that the job's errors and its events never show one attempt number twice (the retry set the
/// count back to 0), and no bigger at each retry (it granted the grown budget again).
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"), .serialized)
struct JobRetryTests {
    func withQueue(_ body: (TokenJobQueue, PostgresClient) async throws -> Void) async throws {
        try await TestDatabase.withMigratedDatabase("flutterbye_retry", truncating: "flutterbye.token_jobs") { client, _ in
            try await body(TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0), client)
        }
    }

    /// The attempt numbers of the job's `running` events, in order.
    static func runningAttempts(_ client: PostgresClient, job: Int64) async throws -> [Int] {
        let rows = try await client.query(
            "SELECT attempt FROM flutterbye.events WHERE kind = 'job_state' AND job_id = \(job) AND state = 'running' ORDER BY xid, id",
            logger: TestDatabase.logger)
        var attempts: [Int] = []
        for try await (attempt, ) in rows.decode((Int,).self) { attempts.append(attempt) }
        return attempts
    }

    /// Claims the job and fails its attempt, permanently or not.
    static func fail(_ queue: TokenJobQueue, permanent: Bool) async throws -> TokenJobState {
        let lease = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
        return try await queue.recordFailure(
            lease, errorClass: permanent ? "insufficient_funds" : "transient", message: "attempt failed", permanent: permanent,
            retryAt: Date(timeIntervalSinceNow: -1))
    }

    @Test func aRetriedJobsAttemptsFollowTheOnesItHad() async throws {
        try await withQueue { queue, client in
            var request = TokenJobQueueTests.request("used-up")
            request.maxAttempts = 2
            let id = try await queue.enqueue(request).jobID
            #expect(try await Self.fail(queue, permanent: false) == .retryable)
            #expect(try await Self.fail(queue, permanent: false) == .failed)

            let retried = try await queue.retry(jobID: id)
            #expect(retried.state == .available)
            #expect(retried.attempt == 2, "the attempts made are kept")
            #expect(retried.request.maxAttempts == 4, "a fresh set of two attempts")
            #expect(try await Self.fail(queue, permanent: false) == .retryable)
            #expect(try await Self.fail(queue, permanent: false) == .failed)
            let job = try await queue.job(id: id)
            #expect(job.errors.map(\.attempt) == [1, 2, 3, 4])
            #expect(try await Self.runningAttempts(client, job: id) == [1, 2, 3, 4])

            // Each retry gives the two it was enqueued with, not the budget it has grown to (4 more: 2, 4, 8, ...).
            #expect(try await queue.retry(jobID: id).request.maxAttempts == 6)
        }
    }

    @Test func aJobFailedForGoodEarlyGetsItsFullSetAgain() async throws {
        try await withQueue { queue, _ in
            let id = try await queue.enqueue(TokenJobQueueTests.request("unfunded")).jobID  // 25 attempts
            #expect(try await Self.fail(queue, permanent: true) == .failed)
            let retried = try await queue.retry(jobID: id)
            #expect(retried.attempt == 1 && retried.request.maxAttempts == 26)
        }
    }

    /// A count an operator's SQL set near the top of its integer: the new budget stops there instead of overflowing,
    /// which rolled the retry back.
    @Test func theBudgetStopsAtTheTopOfItsInteger() async throws {
        try await withQueue { queue, client in
            let id = try await queue.enqueue(TokenJobQueueTests.request("worn")).jobID
            try await client.query(
                "UPDATE flutterbye.token_jobs SET state = 'failed', attempt = 2147483640, finished_at = now() WHERE id = \(id)",
                logger: TestDatabase.logger)
            let retried = try await queue.retry(jobID: id)
            #expect(retried.attempt == 2_147_483_640 && retried.request.maxAttempts == 2_147_483_647)
        }
    }
}
