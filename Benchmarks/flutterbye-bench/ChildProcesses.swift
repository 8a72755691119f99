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
}
