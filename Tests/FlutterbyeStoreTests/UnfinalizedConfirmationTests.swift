import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// The oldest unfinalized confirmation's age (the `flutterbye_oldest_unfinalized_confirmation_age_seconds` gauge and
/// the FlutterbyeJobsNotFinalizing alert): a job confirmed and never finalized (its block abandoned after the
/// confirmation, or no finalizer running) stayed `confirmed` with nothing to show it, its token possibly absent.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"), .serialized)
struct UnfinalizedConfirmationTests {
    @Test func theOldestJobStillConfirmedCountsFromItsConfirmation() async throws {
        try await TestDatabase.withMigratedDatabase("flutterbye_unfinalized", truncating: "flutterbye.token_jobs") { client, _ in
            let queue = TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0)
            #expect(try await queue.oldestUnfinalizedConfirmationAge() == .zero, "nothing confirmed")
            for key in ["old", "new", "final", "waiting"] { _ = try await queue.enqueue(TokenJobQueueTests.request(key)) }
            var confirmed: [String: Int64] = [:]
            for job in try await queue.claim(workerID: "w", limit: 3, lease: .seconds(60)) {
                let lease = try #require(job.lease)
                let signature = String(repeating: "3", count: 63) + String(job.id % 10)
                try await queue.recordSubmission(
                    TransactionSubmission(
                        lease: lease, mintAddress: TokenJobQueueTests.recipient, signature: signature, rawTransaction: [1],
                        lastValidBlockHeight: 100))
                try await queue.markConfirmed(lease, signature: signature)
                confirmed[job.request.idempotencyKey] = job.id
            }
            let (old, new, final) = (try #require(confirmed["old"]), try #require(confirmed["new"]), try #require(confirmed["final"]))
            try await client.query(
                """
                UPDATE flutterbye.token_jobs SET confirmed_at = now() - CASE id WHEN \(old) THEN interval '2 hours'
                    WHEN \(new) THEN interval '1 minute' ELSE interval '3 hours' END
                WHERE id IN (\(old), \(new), \(final))
                """, logger: TestDatabase.logger)
            // Finalized: no longer counted, however long ago it was confirmed.
            #expect(try await queue.markFinalized(jobID: final))
            let age = try await queue.oldestUnfinalizedConfirmationAge()
            #expect(age >= .seconds(7199) && age < .seconds(7230), "\(age)")
        }
    }
}
