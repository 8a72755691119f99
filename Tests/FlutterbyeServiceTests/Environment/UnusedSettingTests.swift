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

    /// A misspelt optional variable of the service's own prefix was ignored without a word: the default was used and
    /// `config check` said the configuration is usable (only FLUTTERBYE_WORKER_CONCURRENCY, the old name, was refused
    /// by name). It is warned about, with the setting it most resembles.
    @Test(arguments: [
        ("FLUTTERBYE_MAX_INFLIGHT", "FLUTTERBYE_MAX_IN_FLIGHT"), ("FLUTTERBYE_EVENT_RETENTION_DAYS", "FLUTTERBYE_EVENT_RETENTION_HOURS"),
        ("FLUTTERBYE_JOB_LEASE_SECS", "FLUTTERBYE_JOB_LEASE_SECONDS"), ("FLUTTERBYE_INDEX_POLL_MS", "FLUTTERBYE_INDEX_POLL_MILLISECONDS"),
    ])
    func aMisspeltServiceVariableIsNotSilentlyIgnored(_ misspelt: String, _ meant: String) {
        let environment = Self.environment([misspelt: "64"])
        #expect(Self.mentions(misspelt, in: environment), "\(misspelt)=64 is ignored without a word")
        #expect(Self.mentions("did you mean \(meant)?", in: environment))
        // The service's settings and its development switches are not warned about.
        #expect(!Self.mentions("is not a setting", in: Self.environment(["FLUTTERBYE_MAX_IN_FLIGHT": "64"])))
    }

    /// A seed's MainNet name and its alias both set, to different addresses: the MainNet name was followed and the
    /// alias ignored without a word (one of them is stale). Warned about, naming both; the same address twice is not.
    @Test(arguments: [
        ("MAINNET_ESCROW_WALLET", "ESCROW_WALLET"), ("MAINNET_FEE_WALLET", "FEE_WALLET"), ("MAINNET_PROGRAM_ID", "FLUTTERBYE_PROGRAM_ID"),
    ])
    func anAliasBesideItsMainnetNameIsNotSilentlyIgnored(_ name: String, _ alias: String) {
        let other = "Grr4hFmNdGcT3S4ZMkD3fsTu2FwNAqmn4dMrrV6UZtQh"
        #expect(Self.mentions("\(alias) is set too", in: Self.environment([alias: other])), "\(alias) is ignored without a word")
        let same = Self.environment([:])[name]!
        #expect(!Self.mentions("\(alias) is set too", in: Self.environment([alias: same])))
    }

    /// The list the warning checks against is the README's: every `FLUTTERBYE_` variable its Configuration documents,
    /// and no other.
    @Test func theSettingNamesAreTheREADMEs() throws {
        let readme = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../README.md"), encoding: .utf8)
        let documented = Set(
            readme.split(separator: "`").map(String.init).filter {
                // A name, not a prefix the text speaks of (`FLUTTERBYE_`, `FLUTTERBYE_DEV_*`).
                $0.hasPrefix("FLUTTERBYE_") && !$0.hasSuffix("_") && $0.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" }
            }
        )
        #expect(documented == ServiceSettingNames.all)
    }
}
