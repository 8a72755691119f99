import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// The oldest waiting job's age (the `flutterbye_oldest_waiting_job_age_seconds` gauge): only jobs a worker may claim
/// now count, from when they became due; running jobs and jobs due later do not.
extension TokenJobQueueTests {
    @Test func theOldestWaitingJobsAgeCountsOnlyClaimableJobsFromWhenTheyBecameDue() async throws {
        try await withQueue { queue, client in
            #expect(try await queue.oldestWaitingJobAge() == .zero, "an empty queue has nothing waiting")
            // Due 10 minutes from now: not waiting yet.
            _ = try await queue.enqueue(Self.request("later", scheduledAt: Date().addingTimeInterval(600)))
            #expect(try await queue.oldestWaitingJobAge() == .zero)
            // Due 5 minutes ago and claimed: running, not waiting.
            let claimed = try await queue.enqueue(Self.request("claimed", scheduledAt: Date().addingTimeInterval(-300))).jobID
            let lease = try #require(try await queue.claim(workerID: "w", limit: 1, lease: .seconds(30)).first?.lease)
            #expect(lease.jobID == claimed)
            #expect(try await queue.oldestWaitingJobAge() == .zero)
            // Due 2 minutes ago, still available: waiting for 2 minutes (a generous bound for a slow machine).
            _ = try await queue.enqueue(Self.request("waiting", scheduledAt: Date().addingTimeInterval(-120)))
            _ = try await queue.enqueue(Self.request("newer", scheduledAt: Date().addingTimeInterval(-30)))
            // Enqueued two hours ago, before the times they are scheduled for (a job waits from the later of the two).
            try await client.query(
                "UPDATE flutterbye.token_jobs SET created_at = created_at - interval '2 hours'", logger: TestDatabase.logger)
            let age = try await queue.oldestWaitingJobAge()
            #expect(age >= .seconds(119) && age < .seconds(150), "\(age)")
            // A retryable job counts from its retry time, not from its creation.
            #expect(
                try await queue.recordFailure(
                    lease, errorClass: "transient", message: "test", permanent: false, retryAt: Date().addingTimeInterval(-3600)) == .retryable)
            let retryAge = try await queue.oldestWaitingJobAge()
            #expect(retryAge >= .seconds(3599) && retryAge < .seconds(3630), "\(retryAge)")
        }
    }

    /// A job scheduled for a time before it was enqueued waits from its creation, when a worker could first claim it:
    /// an order scheduled for 2020 and enqueued now has not waited for years.
    @Test func aJobScheduledBeforeItWasCreatedWaitsFromItsCreation() async throws {
        try await withQueue { queue, client in
            let job = try await queue.enqueue(Self.request("scheduled-2020", scheduledAt: Date(timeIntervalSince1970: 1_577_836_800))).jobID
            let age = try await queue.oldestWaitingJobAge()
            #expect(age < .seconds(30), "a job enqueued just now, scheduled for 2020-01-01, has waited \(age)")
            // Enqueued 10 minutes ago: waiting for 10 minutes.
            try await client.query(
                "UPDATE flutterbye.token_jobs SET created_at = now() - interval '10 minutes' WHERE id = \(job)", logger: TestDatabase.logger)
            let olderAge = try await queue.oldestWaitingJobAge()
            #expect(olderAge >= .seconds(599) && olderAge < .seconds(630), "\(olderAge)")
        }
    }
}
