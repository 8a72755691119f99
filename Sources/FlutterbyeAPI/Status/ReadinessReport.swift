/// The outcome of one round of readiness checks: each check's result (`ok`, or why not) and when the round ended.
/// `answer` decides, without I/O, what `/readyz` says at a given time: a round older than the largest age allowed
/// counts as a failure of its own (the checks have stopped running: the process is stuck or overloaded).
public struct ReadinessReport: Sendable, Hashable {
    /// What `/readyz` answers.
    public struct Answer: Sendable, Hashable {
        public var ready: Bool
        /// Each check's result.
        public var checks: [String: String]
        /// Every failing check and why, when not ready.
        public var message: String?
    }

    public var results: [String: String]
    public var checkedAt: ContinuousClock.Instant

    public init(results: [String: String], checkedAt: ContinuousClock.Instant) {
        self.results = results
        self.checkedAt = checkedAt
    }

    /// The answer at `now`, when a round may be at most `maxAge` old. `databaseUnreachable`: the database probe, which
    /// runs more often than the round, cannot reach PostgreSQL now; the database check fails whatever the round said.
    public func answer(at now: ContinuousClock.Instant, maxAge: Duration, databaseUnreachable: Bool = false) -> Answer {
        var results = self.results
        if databaseUnreachable, results["database"] == "ok" {
            results["database"] = "unreachable: the status API's database probe cannot reach it now"
        }
        var problems = results.filter { $0.value != "ok" }.map { "\($0.key): \($0.value)" }.sorted()
        let age = now - checkedAt
        if age > maxAge {
            problems.append(
                "the last readiness checks ended \(age.components.seconds) s ago (at most \(maxAge.components.seconds) s is accepted): the process is stuck or overloaded"
            )
        }
        return Answer(ready: problems.isEmpty, checks: results, message: problems.isEmpty ? nil : problems.joined(separator: "; "))
    }
}
