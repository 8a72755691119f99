import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// What a key enqueued again answers about the job's scheduling: its priority, its `max_attempts` and the
/// `scheduled_at` it was given (or left out) are parameters like the others, compared with what it was enqueued with,
/// not with what the queue has made of them since (a failure moves `scheduled_at`, a retry grows `max_attempts`). A
/// key sent again to run a job earlier, later or with more attempts got the old job back unchanged with "the same job"
/// (HTTP 200). A left-out `scheduled_at` is the database's time: the API's host filled in its own clock, so a host
/// ahead of the database made every job wait for the difference.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"), .serialized)
struct RepeatedEnqueueTests {
    func withQueue(_ body: (TokenJobQueue, PostgresClient) async throws -> Void) async throws {
        try await TestDatabase.withMigratedDatabase("flutterbye_repeated", truncating: "flutterbye.token_jobs") { client, _ in
            try await body(TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0), client)
        }
    }

    /// What `enqueue_token_job` answers for `request` as the backend calls it: nil when it returns a job, else the
    /// server's message. A nil `scheduledAt` is left out of the call (the function's default), not sent as null.
    static func backendRefusal(_ request: TokenJobRequest, on client: PostgresClient) async throws -> String? {
        guard request.scheduledAt == nil else { return try await TokenJobQueueTests.functionRefusal(request, on: client) }
        let query: PostgresQuery = """
            SELECT job_id FROM flutterbye.enqueue_token_job(idempotency_key => \(request.idempotencyKey),
                token_program => \(request.tokenProgram), decimals => \(request.decimals)::integer, name => \(request.name),
                symbol => \(request.symbol), uri => \(request.uri), amount => \(request.amount), recipient => \(request.recipient),
                memo => \(request.memo), priority => \(request.priority)::integer, max_attempts => \(request.maxAttempts)::integer)
            """
        do {
            _ = try await client.query(query, logger: TestDatabase.logger).collect()
            return nil
        } catch let error as PSQLError {
            return error.serverInfo?[.message] ?? "\(error)"
        }
    }

    @Test func otherSchedulingUnderTheSameKeyIsRefused() async throws {
        try await withQueue { queue, client in
            var first = TokenJobQueueTests.request("scheduled", scheduledAt: Date(timeIntervalSince1970: 4_070_908_800))  // 2099
            first.maxAttempts = 3
            let job = try await queue.enqueue(first).jobID
            #expect(try await queue.enqueue(first).inserted == false, "the same parameters: the same job")

            var sooner = first
            sooner.scheduledAt = Date(timeIntervalSince1970: 1_577_836_800)  // 2020
            var unscheduled = first
            unscheduled.scheduledAt = nil
            var urgent = first
            urgent.priority = 100
            var moreAttempts = first
            moreAttempts.maxAttempts = 1000
            for (what, other) in [("scheduled_at", sooner), ("no scheduled_at", unscheduled), ("priority", urgent), ("max_attempts", moreAttempts)] {
                do {
                    _ = try await queue.enqueue(other)
                    Issue.record("another \(what) under the same key was answered with the same job")
                } catch let error as StoreError {
                    #expect(error.code == .idempotencyConflict, "\(what): \(error)")
                    #expect(error.message.contains("job \(job) with different parameters"), "\(what): \(error)")
                }
                let refusal = try await Self.backendRefusal(other, on: client)
                #expect(refusal?.contains("with different parameters") == true, "\(what) through enqueue_token_job: \(refusal ?? "accepted")")
            }
            let kept = try await queue.job(id: job)
            #expect(kept.request.priority == 0 && kept.request.maxAttempts == 3)
            #expect(kept.request.scheduledAt == first.scheduledAt)
        }
    }

    @Test func theSameRequestIsTheSameJobWhateverTheQueueDidWithIt() async throws {
        try await withQueue { queue, client in
            // Left out: now, by the database's clock, and the same when sent again later.
            var now = TokenJobQueueTests.request("now")
            now.maxAttempts = 1
            let id = try await queue.enqueue(now).jobID
            let enqueued = try await queue.job(id: id)
            #expect(enqueued.request.scheduledAt == enqueued.createdAt, "scheduled at the database's now, as created_at")
            try await Task.sleep(for: .milliseconds(20))
            let repeated = try await queue.enqueue(now)
            #expect(repeated.jobID == id && !repeated.inserted)
            #expect(try await Self.backendRefusal(now, on: client) == nil)

            // Failed, retried by an operator (more attempts, scheduled now): the backend's request is still this job.
            let lease = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
            _ = try await queue.recordFailure(
                lease, errorClass: "transient", message: "node behind", permanent: false, retryAt: Date(timeIntervalSinceNow: 3600))
            #expect(try await queue.job(id: id).state == .failed)
            let retried = try await queue.retry(jobID: id)
            #expect(retried.request.maxAttempts == 2)
            #expect(try await queue.enqueue(now).jobID == id)
            #expect(try await Self.backendRefusal(now, on: client) == nil)

            // Given: the same instant again is the same job after a failure moved the job's own scheduled_at.
            let at = Date(timeIntervalSinceNow: -60)
            let given = TokenJobQueueTests.request("given", scheduledAt: at)
            let other = try await queue.enqueue(given).jobID
            let otherLease = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
            _ = try await queue.recordFailure(
                otherLease, errorClass: "transient", message: "node behind", permanent: false, retryAt: Date(timeIntervalSinceNow: 3600))
            #expect(try await queue.job(id: other).request.scheduledAt != at, "the failure moved it")
            #expect(try await queue.enqueue(given).jobID == other)
            #expect(try await Self.backendRefusal(given, on: client) == nil)
        }
    }

    /// A job an operator's SQL inserted, or one enqueued before the queue kept what it was enqueued with: its scheduling
    /// is not compared (there is nothing to compare with), its token fields are.
    @Test func aJobWithoutItsEnqueuedSchedulingComparesItsTokenFields() async throws {
        try await withQueue { queue, client in
            try await JobKeyTests.insertByHand(client, key: "by-hand")
            var again = TokenJobQueueTests.request("by-hand")
            again.tokenProgram = "token"
            again.memo = nil
            again.name = "Token"
            again.symbol = "TKN"
            again.uri = "https://flutterbye.example/t.json"
            #expect(try await queue.enqueue(again).inserted == false)
            again.amount = "7"
            await #expect(throws: StoreError.self) { _ = try await queue.enqueue(again) }
        }
    }
}
