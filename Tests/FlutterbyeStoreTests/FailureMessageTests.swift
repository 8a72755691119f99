import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// A failure's message comes partly from the RPC provider (a node's error, a simulation's logs): a hostile or broken
/// one may be megabytes, which went into the job's errors at every attempt, and from there into every job answer
/// and event stream that shows the error. The stored message keeps its head and says how much was cut.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"), .serialized)
struct FailureMessageTests {
    @Test func aMegabyteFailureMessageIsStoredCut() async throws {
        try await withQueue { queue, _ in
            let id = try await queue.enqueue(TokenJobQueueTests.request("long-message")).jobID
            let lease = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
            let message = "the node said: " + String(repeating: "é", count: 1 << 19)
            try await queue.recordFailure(lease, errorClass: "transient", message: message, permanent: false, retryAt: Date())
            let stored = try #require(try await queue.job(id: id).errors.last?.message)
            #expect(stored.count < 4_100, "\(stored.count) characters")
            #expect(stored.hasPrefix("the node said: éé") && stored.contains("characters cut"), "\(stored.suffix(80))")
        }
    }

    /// PostgreSQL refuses U+0000 in text: a provider's message with one made the failure impossible to record, and the
    /// worker wrote it again and again, holding the job. It is stored as U+FFFD (as the index stores such text).
    @Test func aFailureMessageWithANulIsStored() async throws {
        try await withQueue { queue, _ in
            let id = try await queue.enqueue(TokenJobQueueTests.request("nul-message")).jobID
            let lease = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
            try await queue.recordFailure(lease, errorClass: "transient", message: "the node said: a\u{0}b", permanent: false, retryAt: Date())
            #expect(try await queue.job(id: id).errors.last?.message == "the node said: a\u{FFFD}b")
        }
    }

    /// A job that goes back to the queue again and again (a node without the history: every 10 minutes, for as long
    /// as it lasts) kept every attempt's error: its errors, in every answer about it, grew without bound. The first
    /// and the newest are kept, 100 in all.
    @Test func aJobKeepsItsFirstAndNewestErrorsOnly() async throws {
        try await withQueue { queue, client in
            let id = try await queue.enqueue(TokenJobQueueTests.request("many-failures")).jobID
            for round in 1...130 {
                let lease = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
                try await queue.recordFailure(lease, errorClass: "transient", message: "round \(round)", permanent: false, retryAt: Date())
                _ = try await client.query("UPDATE flutterbye.token_jobs SET max_attempts = 1000 WHERE id = \(id)", logger: TestDatabase.logger)
            }
            let errors = try await queue.job(id: id).errors
            #expect(errors.count == 100)
            #expect(errors.first?.message == "round 1" && errors.last?.message == "round 130" && errors[1].message == "round 32")
        }
    }

    /// A queue on a migrated database of this suite's own, its jobs table emptied.
    private func withQueue(_ body: (TokenJobQueue, PostgresClient) async throws -> Void) async throws {
        try await TestDatabase.withMigratedDatabase("flutterbye_failure_message", truncating: "flutterbye.token_jobs") { client, _ in
            try await body(TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0), client)
        }
    }
}
