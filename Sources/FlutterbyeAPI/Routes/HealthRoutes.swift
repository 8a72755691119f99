import HTTPTypes
import Foundation
public import Hummingbird

/// One thing `/readyz` checks: a name and a probe that returns nil when all is well, else why not.
public struct ReadinessCheck: Sendable {
    public var name: String
    public var probe: @Sendable () async -> String?

    public init(name: String, probe: @escaping @Sendable () async -> String?) {
        self.name = name
        self.probe = probe
    }
}

/// `GET /healthz` (the process answers) and `GET /readyz` (every `ReadinessCheck` passes, each within `timeout`;
/// otherwise 503 naming each failing check and why).
public struct HealthRoutes: Sendable {
    let checks: [ReadinessCheck]
    let timeout: Duration

    public init(checks: [ReadinessCheck], timeout: Duration = .seconds(3)) {
        self.checks = checks
        self.timeout = timeout
    }

    public func add(to router: Router<APIRequestContext>) {
        router.get("healthz") { _, _ in
            try JobRoutes.json(["status": "ok"])
        }
        router.get("readyz") { _, _ in
            let results = await run()
            let failing = results.filter { $0.value != "ok" }
            if failing.isEmpty {
                return try JobRoutes.json(Readiness(status: "ready", checks: results, error: nil))
            }
            let message = failing.keys.sorted().map { "\($0): \(failing[$0]!)" }.joined(separator: "; ")
            return try JobRoutes.json(
                Readiness(status: "not_ready", checks: results, error: .init(code: "not_ready", message: message)),
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

    /// Runs every check at once; a check that takes longer than `timeout` fails.
    func run() async -> [String: String] {
        let timeout = self.timeout
        return await withTaskGroup(of: (String, String).self) { group in
            for check in checks {
                group.addTask {
                    let outcome = await withTaskGroup(of: String?.self) { race in
                        race.addTask { await check.probe() ?? "ok" }
                        race.addTask {
                            try? await Task.sleep(for: timeout)
                            return Task.isCancelled ? nil : "no answer within \(timeout)"
                        }
                        let first = await race.next() ?? nil
                        race.cancelAll()
                        return first
                    }
                    return (check.name, outcome ?? "no answer")
                }
            }
            var results: [String: String] = [:]
            for await (name, outcome) in group { results[name] = outcome }
            return results
        }
    }
}
