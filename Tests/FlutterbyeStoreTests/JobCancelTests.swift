import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// What a refused cancel says. A confirmed job was told its transaction "may still land" and to "wait for it to be
/// confirmed": it had landed and was confirmed.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"), .serialized)
struct JobCancelTests {
    @Test func aConfirmedJobsRefusalSaysItsTransactionLanded() async throws {
        try await TestDatabase.withMigratedDatabase("flutterbye_cancel", truncating: "flutterbye.token_jobs") { client, _ in
            let queue = TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0)
            let id = try await queue.enqueue(TokenJobQueueTests.request("confirmed-then-cancelled")).jobID
            let lease = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
            let signature = String(repeating: "2", count: 64)
            try await queue.recordSubmission(
                TransactionSubmission(
                    lease: lease, mintAddress: TokenJobQueueTests.recipient, signature: signature, rawTransaction: [1],
                    lastValidBlockHeight: 100))
            try await queue.markConfirmed(lease, signature: signature)
            do {
                _ = try await queue.cancel(jobID: id)
                Issue.record("a confirmed job cannot be cancelled")
            } catch let error as StoreError {
                #expect(error.code == .invalidJobState)
                #expect(error.message.contains("is confirmed") && error.message.contains("landed"), "\(error.message)")
                #expect(!error.message.contains("may still land") && !error.message.contains("Wait for it"), "\(error.message)")
            }
        }
    }
}
