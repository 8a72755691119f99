/// The service's own `FLUTTERBYE_` variables, as the README's Configuration lists them: a variable of that prefix
/// that is none of these (and no `FLUTTERBYE_DEV_` switch) is a slip the service would otherwise ignore without a
/// word, so `config check` and the start warn about it, naming the setting it most resembles.
public enum ServiceSettingNames {
    /// Every `FLUTTERBYE_` variable a part of the service reads (`FLUTTERBYE_WORKER_CONCURRENCY` too: it is refused by
    /// name, replaced by `FLUTTERBYE_MAX_IN_FLIGHT`).
    public static let all: Set<String> = [
        "FLUTTERBYE_API_HOST", "FLUTTERBYE_API_MAX_CONNECTIONS", "FLUTTERBYE_API_PORT", "FLUTTERBYE_API_UNAUTHENTICATED_BURST",
        "FLUTTERBYE_API_UNAUTHENTICATED_PER_SECOND", "FLUTTERBYE_API_WRITES_PER_SECOND", "FLUTTERBYE_API_WRITE_BURST",
        "FLUTTERBYE_EVENT_RETENTION_HOURS", "FLUTTERBYE_INDEX_DISCOVERY_SECONDS", "FLUTTERBYE_INDEX_DROP_AFTER_SLOTS",
        "FLUTTERBYE_INDEX_POLL_MILLISECONDS", "FLUTTERBYE_INDEX_QUIET_POLL_SECONDS", "FLUTTERBYE_INDEX_SETTLE_SECONDS",
        "FLUTTERBYE_INDEX_SIGNATURES_HELD", "FLUTTERBYE_INDEX_START_SIGNATURE", "FLUTTERBYE_INDEX_START_SLOT", "FLUTTERBYE_INDEX_SWEEP_SECONDS",
        "FLUTTERBYE_JOB_LEASE_SECONDS", "FLUTTERBYE_JOB_RETENTION_HOURS", "FLUTTERBYE_LOG_LEVEL", "FLUTTERBYE_MASTER_SEED",
        "FLUTTERBYE_MAX_IN_FLIGHT", "FLUTTERBYE_MAX_PRIORITY_FEE", "FLUTTERBYE_METAPLEX_METADATA", "FLUTTERBYE_MINT_AUTHORITY_IS_PAYER",
        "FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH", "FLUTTERBYE_PREFLIGHT", "FLUTTERBYE_PRIORITY_FEE_PERCENTILE", "FLUTTERBYE_PROGRAM_ID",
        "FLUTTERBYE_PROGRAM_IDL", "FLUTTERBYE_WORKER_CONCURRENCY", "FLUTTERBYE_WORKER_ID",
    ]

    /// A warning for each `FLUTTERBYE_` variable of `environment` that is not a setting (development switches aside),
    /// with the setting it most resembles, if one is close. Names only: no value is shown.
    public static func warnings(_ environment: ServiceEnvironment) -> [String] {
        environment.variables(withPrefix: "FLUTTERBYE_").map(\.name)
            .filter { !all.contains($0) && !$0.hasPrefix(ProductionPolicy.developmentSwitchPrefix) }
            .sorted()
            .map { name in
                let hint = closest(to: name).map { "; did you mean \($0)?" } ?? ""
                return "\(name) is not a setting of the service and is ignored\(hint) (README, Configuration)"
            }
    }

    /// The setting whose name is fewest edits from `name` (at most a third of its length away); else the one setting
    /// that shares all of `name` but its last word (`..._POLL_MS`: `..._POLL_MILLISECONDS`); nil when none is close.
    static func closest(to name: String) -> String? {
        let candidates = all.map { ($0, distance(name, $0)) }.filter { $0.1 <= max(2, name.count / 3) }
        if let best = candidates.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) { return best.0 }
        guard let lastWord = name.lastIndex(of: "_") else { return nil }
        let stem = name[...lastWord]
        let sharing = all.filter { $0.hasPrefix(stem) }
        return sharing.count == 1 ? sharing.first : nil
    }

    /// Levenshtein distance between two ASCII names.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + [Int](repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
