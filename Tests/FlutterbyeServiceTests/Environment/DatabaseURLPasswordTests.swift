import FlutterbyeService
import Testing

/// A DATABASE_URL whose password holds an unencoded `?` after leading digits (`2024?Rx7pQ-secret`) parses as host
/// "USER", port 2024 and a query: the refusal quoted the rest of the password as an unknown query parameter's name, in
/// `config check`'s output and the start-up log. It now names the unencoded character, and no part of the URL.
struct DatabaseURLPasswordTests {
    @Test func aPasswordWithAQuestionMarkIsNotQuotedInTheRefusal() {
        let secret = "Rx7pQ-secret"
        let environment = ProductionPolicyTests.environment(["DATABASE_URL": "postgres://flutterbye:2024?\(secret)@db.internal:5432/flutterbye"])
        var problems: [String] = []
        do { _ = try ServiceConfiguration(environment: ServiceEnvironment(environment), parts: ServiceParts()) } catch {
            problems = error.problems
        }
        #expect(!problems.isEmpty, "the URL was accepted")
        let quoted = problems.filter { $0.contains(secret) }
        #expect(quoted.isEmpty, "a problem quotes the password: \(quoted)")
    }
}
