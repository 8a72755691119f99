import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The child processes a benchmark run started and has not stopped yet, so that one call stops them all, newest
/// first (a worker before the chain it talks to): when the run fails, and from the SIGINT/SIGTERM trap.
final class ChildProcesses: Sendable {
    /// A started process and how long it may take to stop after SIGTERM.
    private struct Entry: @unchecked Sendable {
        var process: BenchmarkProcess
        var grace: Duration
    }

    private let running = Mutex<[Entry]>([])

    /// Takes `process` in; `stopAll` sends it SIGTERM and kills it when it is still there after `grace`.
    func add(_ process: BenchmarkProcess, grace: Duration) {
        running.withLock { $0.append(Entry(process: process, grace: grace)) }
    }

    /// Stops `process` (SIGTERM, then SIGKILL after `grace`) and forgets it; its exit status when it exited in time.
    @discardableResult
    func stop(_ process: BenchmarkProcess, within grace: Duration) -> Int32? {
        let status = process.stop(signal: SIGTERM, within: grace)
        running.withLock { entries in entries.removeAll { entry in entry.process === process } }
        return status
    }

    /// Stops every process still running, newest first.
    func stopAll() {
        let entries = running.withLock { entries in
            defer { entries.removeAll() }
            return entries
        }
        for entry in entries.reversed() { entry.process.stop(signal: SIGTERM, within: entry.grace) }
    }

    /// Runs `executable` with `arguments` to its end, with exactly `environment` (PATH and HOME passed on) and its
    /// output in `log`, taken in meanwhile so that a stopped benchmark stops it too; fails with the log's end unless it
    /// exits 0.
    func runToEnd(_ executable: String, _ arguments: [String], environment: [String: String], log: URL) throws {
        var full = environment
        for name in ["PATH", "HOME"] { full[name] = full[name] ?? ProcessInfo.processInfo.environment[name] }
        let process = try BenchmarkProcess(executable, arguments, readyLine: false, environment: full, log: log)
        add(process, grace: .seconds(5))
        let status = process.wait()
        stop(process, within: .seconds(1))
        guard status == 0 else {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw BenchmarkFailure(
                "\(URL(fileURLWithPath: executable).lastPathComponent) \(arguments.first ?? "") failed (exit \(status)): \(output.suffix(2000))")
        }
    }
}
