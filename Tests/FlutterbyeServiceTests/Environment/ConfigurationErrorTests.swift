import FlutterbyeService
import Testing

/// How a refused configuration is printed: the number of problems, then one indented line each.
struct ConfigurationErrorTests {
    @Test func oneProblemIsCountedInTheSingular() {
        #expect("\(ConfigurationError(problems: ["DATABASE_URL is not set"]))" == "the configuration has 1 problem:\n  - DATABASE_URL is not set")
    }

    @Test func severalProblemsAreCountedAndListedInOrder() {
        let error = ConfigurationError(problems: ["DATABASE_URL is not set", "SOLANA_RPC_URL is not set"])
        #expect("\(error)" == "the configuration has 2 problems:\n  - DATABASE_URL is not set\n  - SOLANA_RPC_URL is not set")
    }
}
