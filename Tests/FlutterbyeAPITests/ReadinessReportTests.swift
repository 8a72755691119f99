import FlutterbyeAPI
import Testing

/// What `/readyz` answers from the last round of checks, at a given time.
struct ReadinessReportTests {
    let checkedAt = ContinuousClock.now

    @Test func everyCheckPassedAndTheRoundIsRecent() {
        let report = ReadinessReport(results: ["database": "ok", "rpc": "ok"], checkedAt: checkedAt)
        let answer = report.answer(at: checkedAt + .seconds(5), maxAge: .seconds(13))
        #expect(answer.ready && answer.message == nil && answer.checks == ["database": "ok", "rpc": "ok"])
        #expect(ReadinessReport(results: [:], checkedAt: checkedAt).answer(at: checkedAt, maxAge: .seconds(1)).ready, "no checks, ready")
    }

    @Test func eachFailingCheckIsNamed() {
        let report = ReadinessReport(results: ["database": "ok", "rpc": "node is behind by 900 slots", "indexer": "stalled"], checkedAt: checkedAt)
        let answer = report.answer(at: checkedAt, maxAge: .seconds(13))
        #expect(!answer.ready)
        #expect(answer.message == "indexer: stalled; rpc: node is behind by 900 slots")
    }

    @Test func aRoundOlderThanTheLargestAgeIsAFailure() {
        let report = ReadinessReport(results: ["database": "ok"], checkedAt: checkedAt)
        let answer = report.answer(at: checkedAt + .seconds(20), maxAge: .seconds(13))
        #expect(!answer.ready)
        #expect(answer.message?.contains("ended 20 s ago") == true, "\(answer.message ?? "")")
    }
}
