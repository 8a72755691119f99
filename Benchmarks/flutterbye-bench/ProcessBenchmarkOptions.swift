import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The options of the benchmarks that run `flutterbye` as a process beside local chains (`sender`, `idle`): which
/// executable, which Python, which PostgreSQL server.
struct ProcessBenchmarkOptions: ParsableArguments {
    @Option(help: "The flutterbye executable (default: FLUTTERBYE_BINARY, else the one next to this benchmark).")
    var workerBinary: String?

    @Option(help: "Python with solders (default: FLUTTERBYE_PYTHON, else .venv/bin/python).")
    var python: String?

    @Option(name: .customLong("database-url"), help: "Use this server instead of a throwaway cluster (needs CREATEDB).")
    var databaseURL: String?

    /// The executable, with a warning when a source file is newer than it (it would measure the code before the edit).
    func binary() throws -> URL {
        let binary = try WorkerProcess.binary(workerBinary)
        if let newer = WorkerProcess.newerSource(than: binary) {
            say(
                "warning: \(binary.path) is older than \(newer): rebuild it (swift build -c release --product flutterbye) to measure the current code"
            )
        }
        return binary
    }

    /// Runs `body` with a new log directory under /tmp (`/tmp/flutterbye-<name>-bench.XXXXXX`, kept afterwards), the
    /// record of child processes and the PostgreSQL server; every process and the server are stopped when it returns,
    /// fails or is interrupted (Ctrl-C, SIGTERM).
    func withProcesses<Result>(_ name: String, _ body: (URL, ChildProcesses, BenchmarkServer) throws -> Result) throws -> Result {
        var template = Array("/tmp/flutterbye-\(name)-bench.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw BenchmarkFailure("cannot create a log directory under /tmp") }
        let logs = URL(fileURLWithPath: String(cString: made))
        let processes = ChildProcesses()
        let server = try BenchmarkServer.start(databaseURL: databaseURL, root: BenchmarkPaths.root)
        let trap = SignalTrap {
            processes.stopAll()
            server.stop()
        }
        defer {
            processes.stopAll()
            server.stop()
            trap.cancel()
        }
        return try body(logs, processes, server)
    }
}
