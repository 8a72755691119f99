import OpenAPIRuntime

/// `GET /healthz` (the process answers) and `GET /readyz`: the last round of readiness checks `StatusSampler` ran
/// (every check passed, and the round is recent, and the database probe reaches PostgreSQL) answered as it stands,
/// without checking anything per request; otherwise 503 naming each failing check and why.
extension APIHandlers {
    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        guard let report = await sampler.readinessReport() else {
            return .serviceUnavailable(
                .init(body: .json(Self.readiness(checks: [:], problem: "the readiness checks have not run yet; try again shortly"))))
        }
        // The database probe runs every second, the round every few: what the probe saw of PostgreSQL counts at once.
        let answer = report.answer(at: .now, maxAge: sampler.options.readinessMaxAge, databaseUnreachable: database.outage != nil)
        guard let problem = answer.message else { return .ok(.init(body: .json(Self.readiness(checks: answer.checks, problem: nil)))) }
        return .serviceUnavailable(.init(body: .json(Self.readiness(checks: answer.checks, problem: problem))))
    }

    /// `ready` with each check's result, or `not_ready` with the problem as its error.
    static func readiness(checks: [String: String], problem: String?) -> Components.Schemas.Readiness {
        Components.Schemas.Readiness(
            status: problem == nil ? .ready : .notReady, checks: .init(additionalProperties: checks),
            error: problem.map { .init(code: "not_ready", message: $0) })
    }
}
