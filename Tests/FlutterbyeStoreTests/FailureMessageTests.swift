import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import Testing

/// A failure's message comes partly from the RPC provider (a node's error, a simulation's logs): a hostile or broken
/// one may be megabytes, which went into the job's errors at every attempt, and from there into every job answer
/// and event stream that shows the error. The stored message keeps its head and says how much was cut.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"), .serialized)
struct FailureMessageTests {
    @Test func aMegabyteFailureMessageIsStoredCut() async throws {
        try await TestDatabase.withMigratedDatabase("flutterbye_failure_message", truncating: "flutterbye.token_jobs") { client, _ in
            let queue = TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0)
            let id = try await queue.enqueue(TokenJobQueueTests.request("long-message")).jobID
            let lease = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
            let message = "the node said: " + String(repeating: "é", count: 1 << 19)
            try await queue.recordFailure(lease, errorClass: "transient", message: message, permanent: false, retryAt: Date())
            let stored = try #require(try await queue.job(id: id).errors.last?.message)
            #expect(stored.count < 4_100, "\(stored.count) characters")
            #expect(stored.hasPrefix("the node said: éé") && stored.contains("characters cut"), "\(stored.suffix(80))")
        }
    }
}
