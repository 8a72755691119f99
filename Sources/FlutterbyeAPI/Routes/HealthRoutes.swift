import HTTPTypes
public import Hummingbird

/// `GET /healthz` (the process answers) and `GET /readyz`: the last round of readiness checks `StatusSampler` ran
/// (every check passed, and the round is recent) answered as it stands, without checking anything per request;
/// otherwise 503 naming each failing check and why.
public struct HealthRoutes: Sendable {
    let sampler: StatusSampler

    public init(sampler: StatusSampler) {
        self.sampler = sampler
    }

    public func add(to router: Router<APIRequestContext>) {
        router.get("healthz") { _, _ in
            try JobRoutes.json(["status": "ok"])
        }
        router.get("readyz") { _, _ in
            guard let report = await sampler.readinessReport() else {
                return try JobRoutes.json(
                    Readiness(
                        status: "not_ready", checks: [:],
                        error: .init(code: "not_ready", message: "the readiness checks have not run yet; try again shortly")),
                    status: .serviceUnavailable)
            }
            let answer = report.answer(at: .now, maxAge: sampler.options.readinessMaxAge)
            guard let message = answer.message else {
                return try JobRoutes.json(Readiness(status: "ready", checks: answer.checks, error: nil))
            }
            return try JobRoutes.json(
                Readiness(status: "not_ready", checks: answer.checks, error: .init(code: "not_ready", message: message)),
                status: .serviceUnavailable)
        }
    }

    struct Readiness: Encodable {
        struct Problem: Encodable {
            var code: String
            var message: String
        }
        var status: String
        var checks: [String: String]
        var error: Problem?
    }
}
