import FlutterbyeTestSupport
import HTTPTypes
import Testing

@testable import FlutterbyeAPI

/// The database gate without a database: the work it runs is a closure that takes as long as a test says.
struct DatabaseGateTests {
    struct Failure: Error {}

    @Test func workPassesThroughWhileTheDatabaseAnswers() async throws {
        let gate = DatabaseGate(timeout: .seconds(5), retryAfter: 2)
        #expect(try await gate.run { 42 } == 42)
        await #expect(throws: Failure.self) { try await gate.run { throw Failure() } }
    }

    @Test func whileTheProbeSeesAnOutageRequestsAreRefusedAtOnceWithRetryAfter() async throws {
        let gate = DatabaseGate(timeout: .seconds(5), retryAfter: 3)
        gate.probed("connection refused")
        let ran = Shared(false)
        let error = await #expect(throws: APIError.self) { try await gate.run { ran.withLock { $0 = true } } }
        #expect(!ran.withLock { $0 }, "nothing runs while the database is known to be down")
        #expect(error?.status == .serviceUnavailable && error?.code == "unavailable")
        #expect(error?.headers[.retryAfter] == "3")
        #expect(error?.message.contains("connection refused") == false, "the probe's reason is for the log, not for clients")
        gate.probed(nil)
        #expect(try await gate.run { 1 } == 1)
    }

    @Test func anOutageSeenMeanwhileAnswersTheRequestsUnderWay() async throws {
        let gate = DatabaseGate(timeout: .seconds(60), retryAfter: 2)
        let waiting = Shared<CheckedContinuation<Void, Never>?>(nil)
        let request = Task {
            try await gate.run {
                // A statement waiting for a pool whose server is gone: it ignores cancellation.
                await withCheckedContinuation { continuation in waiting.withLock { $0 = continuation } }
            }
        }
        while waiting.withLock({ $0 == nil }) { await Task.yield() }
        let before = ContinuousClock.now
        gate.probed("the server closed the connection")
        await #expect(throws: APIError.self) { try await request.value }
        #expect(ContinuousClock.now - before < .seconds(5))
        waiting.withLock { $0?.resume() }
    }

    @Test func workLongerThanTheTimeoutIsAnswered503() async {
        let gate = DatabaseGate(timeout: .milliseconds(100), retryAfter: 2)
        let error = await #expect(throws: APIError.self) {
            try await gate.run { try await Task.sleep(for: .seconds(30)) }
        }
        #expect(error?.status == .serviceUnavailable)
    }
}
