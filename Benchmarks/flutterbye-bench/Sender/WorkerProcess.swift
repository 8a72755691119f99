import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `flutterbye worker` process, configured only through its environment as ops run it (so the benchmark works
/// unchanged whatever the sender inside does), with its output in a log file whose last lines a stalled workload
/// prints.
final class WorkerProcess: Sendable {
    /// The variables the benchmark sets for every worker; `--worker-env` may not replace them.
    static let managedVariables: Set<String> = [
        "DATABASE_URL", "SOLANA_RPC_URL", "SOLANA_PRIVATE_KEY", "SOLANA_KEYPAIR_PATH", "FLUTTERBYE_MASTER_SEED",
    ]
    /// Variables whose values are never printed (beside the managed ones).
    private static let secretWords = ["KEY", "SECRET", "SEED", "TOKEN", "PASSWORD", "URL"]

    let log: URL
    private let process: BenchmarkProcess

    /// Starts `binary command` (`worker`, or `index`) with exactly `environment` (PATH and HOME are passed on;
    /// nothing else of the benchmark's own environment, so a shell's FLUTTERBYE_* settings cannot change what is
    /// measured).
    init(binary: URL, command: String = "worker", environment: [String: String], log: URL, processes: ChildProcesses) throws {
        var full = environment
        for name in ["PATH", "HOME"] { full[name] = full[name] ?? ProcessInfo.processInfo.environment[name] }
        process = try BenchmarkProcess(binary.path, [command], readyLine: false, environment: full, log: log)
        processes.add(process, grace: .seconds(30))
        self.log = log
    }

    var isRunning: Bool { process.isRunning }

    /// SIGTERM (a graceful stop), then SIGKILL after `grace`; the exit status when it stopped by itself in time.
    @discardableResult
    func stop(_ processes: ChildProcesses, within grace: Duration = .seconds(30)) -> Int32? {
        processes.stop(process, within: grace)
    }

    /// The last `count` lines the worker wrote.
    func tail(_ count: Int = 20) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n").suffix(count)
        return lines.isEmpty ? "(nothing: at FLUTTERBYE_LOG_LEVEL=warning the worker logs only warnings and errors)" : lines.joined(separator: "\n")
    }

    /// How many lines the worker wrote (at FLUTTERBYE_LOG_LEVEL=warning: its warnings and errors).
    var logLineCount: Int {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    /// The `flutterbye` executable: `option` (`--worker-binary`), else FLUTTERBYE_BINARY, else the one next to this
    /// benchmark's executable (`swift run -c release flutterbye-bench` builds both, in the same configuration).
    static func binary(_ option: String?) throws -> URL {
        if let path = option ?? ProcessInfo.processInfo.environment["FLUTTERBYE_BINARY"] {
            guard FileManager.default.isExecutableFile(atPath: path) else { throw ValidationError("no executable flutterbye at \(path)") }
            return URL(fileURLWithPath: path)
        }
        let bench = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let binary = bench.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("flutterbye")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw ValidationError(
                "no flutterbye executable next to this benchmark (\(binary.path)): build it with "
                    + "`swift build -c release --product flutterbye`, or pass --worker-binary")
        }
        return binary
    }

    /// Whether `binary` is older than a source file of the package (Sources/, schema.sql): a worker built before the
    /// sender's last edit would measure the old sender. The newest such file, or nil when the binary is up to date.
    static func newerSource(than binary: URL) -> String? {
        let files = FileManager.default
        guard let built = (try? files.attributesOfItem(atPath: binary.path))?[.modificationDate] as? Date else { return nil }
        var newest: (path: String, date: Date)?
        let sources = BenchmarkPaths.root.appendingPathComponent("Sources")
        var paths = [BenchmarkPaths.root.appendingPathComponent("schema.sql").path]
        if let walker = files.enumerator(atPath: sources.path) {
            for case let relative as String in walker where relative.hasSuffix(".swift") || relative.hasSuffix(".sql") {
                paths.append(sources.appendingPathComponent(relative).path)
            }
        }
        for path in paths {
            guard let date = (try? files.attributesOfItem(atPath: path))?[.modificationDate] as? Date, date > built else { continue }
            if newest.map({ date > $0.date }) ?? true { newest = (path, date) }
        }
        return newest?.path
    }

    /// `environment` as it may be printed: each variable, but the managed ones and any whose name suggests a secret
    /// shown only as set.
    static func printable(_ environment: [String: String]) -> String {
        environment.keys.sorted().map { name in
            let hidden = managedVariables.contains(name) || secretWords.contains { name.uppercased().contains($0) }
            return hidden ? "\(name)=(set)" : "\(name)=\(environment[name] ?? "")"
        }.joined(separator: " ")
    }
}
