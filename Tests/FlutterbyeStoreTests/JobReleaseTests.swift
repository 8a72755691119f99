import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// A graceful release (SIGTERM) gives a job back without counting its attempt, whether or not it stored a
/// transaction: counted, a job's last attempt was spent by a restart, and a stored transaction that expired unused
/// failed it as `attempts_exhausted` with no error recorded, where it would have been signed again.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"), .serialized)
struct JobReleaseTests {
    @Test func aReleaseOfAJobThatStoredItsTransactionDoesNotSpendAnAttempt() async throws {
        try await TestDatabase.withMigratedDatabase("flutterbye_release", truncating: "flutterbye.token_jobs") { client, _ in
            let queue = TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0)
            var request = TokenJobQueueTests.request("released-after-storing")
            request.maxAttempts = 1
            let id = try await queue.enqueue(request).jobID
            let lease = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
            try await queue.recordSubmission(
                TransactionSubmission(
                    lease: lease, mintAddress: TokenJobQueueTests.recipient, signature: "sig-1", rawTransaction: [1],
                    lastValidBlockHeight: 100))
            try await queue.release(lease)

            let released = try await queue.job(id: id)
            #expect(released.state == .retryable, "it stored a transaction: resumed, not started afresh")
            #expect(released.attempt == 0 && released.errors.isEmpty, "no attempt counted, no failure recorded")
            #expect(released.signatures == ["sig-1"], "what it stored is kept")
            let again = try #require(try await queue.claim(workerID: "w2", limit: 1, lease: .seconds(30)).first)
            #expect(again.attempt == 1, "the next runner makes the attempt the release gave back")
            #expect(again.attempt <= again.request.maxAttempts)
        }
    }
}
