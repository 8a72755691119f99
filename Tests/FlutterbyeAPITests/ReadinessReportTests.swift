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

    /// The database probe (every second) has seen PostgreSQL go while the last round of checks (every 5 s) still said
    /// ok: `/readyz` says not ready at once, as the routes that need the database do, not 3-5 s later.
    @Test func aDatabaseTheProbeCannotReachIsNotReadyBeforeTheNextRound() {
        let report = ReadinessReport(results: ["database": "ok", "rpc": "ok"], checkedAt: checkedAt)
        let answer = report.answer(at: checkedAt, maxAge: .seconds(13), databaseUnreachable: true)
        #expect(!answer.ready)
        #expect(answer.checks["database"]?.hasPrefix("unreachable") == true && answer.checks["rpc"] == "ok", "\(answer.checks)")
        #expect(answer.message?.hasPrefix("database: unreachable") == true, "\(answer.message ?? "")")
        // A process without the database check has nothing to say about it.
        let withoutDatabase = ReadinessReport(results: ["rpc": "ok"], checkedAt: checkedAt)
        #expect(withoutDatabase.answer(at: checkedAt, maxAge: .seconds(13), databaseUnreachable: true).ready)
        #expect(report.answer(at: checkedAt, maxAge: .seconds(13), databaseUnreachable: false).ready)
        // The round's own reason, when it has one, is kept.
        let failed = ReadinessReport(results: ["database": "unreachable: connection refused"], checkedAt: checkedAt)
        #expect(failed.answer(at: checkedAt, maxAge: .seconds(13), databaseUnreachable: true).checks["database"] == "unreachable: connection refused")
    }

    @Test func aRoundOlderThanTheLargestAgeIsAFailure() {
        let report = ReadinessReport(results: ["database": "ok"], checkedAt: checkedAt)
        let answer = report.answer(at: checkedAt + .seconds(20), maxAge: .seconds(13))
        #expect(!answer.ready)
        #expect(answer.message?.contains("ended 20 s ago") == true, "\(answer.message ?? "")")
    }
}
