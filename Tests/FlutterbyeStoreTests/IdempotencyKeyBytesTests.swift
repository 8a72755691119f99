import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// Idempotency keys are bytes (UTF-8), as PostgreSQL's unique index compares them: two keys that Swift's `==` calls
/// equal (canonically equivalent Unicode) are two jobs, and each caller of a shared INSERT gets its own.
extension TokenJobQueueTests {
    /// `café` with é as one code point (U+00E9) and as e + a combining acute accent (U+0301).
    static func equivalentKeys(_ suffix: String) -> (composed: String, decomposed: String) {
        ("caf\u{E9}-\(suffix)", "cafe\u{301}-\(suffix)")
    }

    @Test func concurrentEnqueuesOfCanonicallyEquivalentKeysAreTwoJobsEachCallerGettingItsOwn() async throws {
        try await withQueue { _, client in
            // The statements' deadline is 120 s, not 30: a loaded clean-clone run saw one batch of 4 unanswered for 30 s
            // while other suites starved the machine (the deadline bounds a hang; what is tested is who gets which job).
            let queue = TokenJobQueue(client: client, logger: TestDatabase.logger, statementTimeout: .seconds(120))
            let pairs = 100
            let (composed, decomposed) = Self.equivalentKeys("0")
            #expect(composed == decomposed && Array(composed.utf8) != Array(decomposed.utf8), "the premise: equal to Swift, not in bytes")
            // Every pair enqueued at once, so that most pairs share an INSERT statement.
            let answers = try await withThrowingTaskGroup(of: (key: String, result: TokenJobEnqueueResult).self) { group in
                for index in 0..<pairs {
                    let (composed, decomposed) = Self.equivalentKeys("\(index)")
                    for key in [composed, decomposed] {
                        group.addTask { (key, try await queue.enqueue(Self.request(key))) }
                    }
                }
                var answers: [(key: String, result: TokenJobEnqueueResult)] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            #expect(answers.count == 2 * pairs)
            #expect(Set(answers.map(\.result.jobID)).count == 2 * pairs, "two callers were answered with one job")
            var answeredWithAnothersJob: [String] = []
            for answer in answers {
                let job = try await queue.job(id: answer.result.jobID)
                if !answer.result.inserted || Array(job.request.idempotencyKey.utf8) != Array(answer.key.utf8) {
                    answeredWithAnothersJob.append(
                        "\(answer.key.unicodeScalars.map { "U+\(String($0.value, radix: 16))" }) got job \(job.id) (inserted: \(answer.result.inserted))"
                    )
                }
            }
            #expect(answeredWithAnothersJob.isEmpty, "each caller is answered with the job it inserted: \(answeredWithAnothersJob.prefix(6))")
            #expect(try await TestDatabase.count("SELECT count(*)::int8 FROM flutterbye.token_jobs", on: client) == 2 * pairs)
        }
    }
}

/// Requests are equal only when their text is equal byte for byte.
@Suite struct TokenJobRequestEqualityTests {
    @Test func canonicallyEquivalentKeysAreTwoRequests() {
        let (composed, decomposed) = TokenJobQueueTests.equivalentKeys("1")
        let a = TokenJobQueueTests.request(composed)
        let b = TokenJobQueueTests.request(decomposed)
        #expect(a != b)
        #expect(Set([a, b]).count == 2)
        #expect(a == TokenJobQueueTests.request(composed))
        var named = a
        named.name = "Caf\u{E9}"
        var renamed = a
        renamed.name = "Cafe\u{301}"
        #expect(named != renamed)
        var noMemo = a
        noMemo.memo = nil
        var emptyMemo = a
        emptyMemo.memo = ""
        #expect(noMemo != emptyMemo)
    }
}
