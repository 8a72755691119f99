import FlutterbyeIndexer
import FlutterbyeService
import Foundation
import SolanaCore
import Testing

/// A setting the operator gave is never used otherwise than given without a word: each test sets such a value and
/// expects the configuration to say so (a problem, or at least a warning).
struct UnusedSettingTests {
    /// A whole, valid configuration of every part (as `ProductionPolicyTests.environment`), with `changes`.
    static func environment(_ changes: [String: String?]) -> [String: String] {
        ProductionPolicyTests.environment(changes)
    }

    /// Whether reading `environment` (every part) and its review off mainnet name `text` anywhere: as a problem that
    /// stops the start, or as a warning `config check` prints.
    static func mentions(_ text: String, in environment: [String: String]) -> Bool {
        do {
            let configuration = try ServiceConfiguration(environment: ServiceEnvironment(environment), parts: ServiceParts())
            let review = ProductionPolicy.review(configuration, cluster: .devnet) { _ in .success(0o600) }
            return (review.refusals + review.warnings).contains { $0.contains(text) }
        } catch {
            return error.problems.contains { $0.contains(text) }
        }
    }

    /// FLUTTERBYE_INDEX_QUIET_POLL_SECONDS below FLUTTERBYE_INDEX_POLL_MILLISECONDS, or FLUTTERBYE_INDEX_SWEEP_SECONDS
    /// below it, was raised to it without a word (PollingSettings.init clamps): it is refused.
    @Test(arguments: ["FLUTTERBYE_INDEX_QUIET_POLL_SECONDS", "FLUTTERBYE_INDEX_SWEEP_SECONDS"])
    func anIntervalBelowThePollIntervalIsNotSilentlyRaised(_ name: String) throws {
        let environment = Self.environment(["FLUTTERBYE_INDEX_POLL_MILLISECONDS": "10000", name: "2"])
        let read = try? IndexerSettings(environment: ServiceEnvironment(environment))
        let used = name == "FLUTTERBYE_INDEX_QUIET_POLL_SECONDS" ? read?.options.polling.quietInterval : read?.options.polling.sweepInterval
        let mentioned = Self.mentions(name, in: environment)
        #expect(
            used == .seconds(2) || mentioned,
            "\(name)=2 with FLUTTERBYE_INDEX_POLL_MILLISECONDS=10000 is used as \(String(describing: used)) without a word")
    }
}
