import FlutterbyeStore
import Foundation

/// Runs Benchmarks/reference/pgqueuer_queue.py (pgqueuer's own API on its own database) and reads its JSON.
struct PgqueuerReference {
    let interpreter: String
    let script: String
    let root: URL

    static let requirements = "Benchmarks/reference/requirements.txt"

    init(root: URL, python: String?) throws {
        self.root = root
        interpreter = python ?? ProcessInfo.processInfo.environment["FLUTTERBYE_PYTHON"] ?? root.appendingPathComponent(".venv/bin/python").path
        script = root.appendingPathComponent("Benchmarks/reference/pgqueuer_queue.py").path
    }

    private var installHint: String {
        let pip = URL(fileURLWithPath: interpreter).deletingLastPathComponent().appendingPathComponent("pip").path
        let command = FileManager.default.isExecutableFile(atPath: pip) ? pip : "\(interpreter) -m pip"
        return "install it with: \(command) install -r \(root.appendingPathComponent(Self.requirements).path)"
            + " (or run with --skip-pgqueuer)"
    }

    /// Fails at once, with the pip command to run, when pgqueuer (or asyncpg, uvloop) cannot be imported.
    func checkImportable() throws {
        guard FileManager.default.isExecutableFile(atPath: interpreter) else {
            throw BenchmarkFailure("no Python at \(interpreter) (run Tests/run once to create .venv, or pass --python); then \(installHint)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = ["-c", "import pgqueuer, asyncpg, uvloop"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkFailure("pgqueuer is not importable by \(interpreter): \(installHint)")
        }
    }

    func run(database: DatabaseConfiguration, settings: QueueBenchmarkSettings) throws -> PgqueuerFigures {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = [
            script, "--jobs", String(settings.jobs), "--enqueuers", String(settings.enqueuers),
            "--workers", settings.workerCounts.map(String.init).joined(separator: ","), "--batch-size", String(settings.batchSize),
            "--latency-samples", String(settings.latencySamples),
            "--latency-interval-ms", String(settings.latencyInterval.milliseconds),
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["PGQUEUER_BENCH_DSN"] = database.connectionURL  // not in argv: it may hold a password
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        if process.terminationStatus == 0, let figures = try? decoder.decode(PgqueuerFigures.self, from: data) {
            return figures
        }
        if let failure = try? decoder.decode([String: String].self, from: data), let message = failure["error"] {
            throw BenchmarkFailure("the pgqueuer benchmark failed: \(message)")
        }
        throw BenchmarkFailure("the pgqueuer benchmark failed (exit \(process.terminationStatus)): \(String(decoding: data, as: UTF8.self))")
    }
}

/// What pgqueuer_queue.py prints.
struct PgqueuerFigures: Decodable {
    /// One of its drain runs.
    struct Drain: Decodable {
        var workers: Int
        var jobs: Int
        var executed: Int
        var seconds: Double
        var cpu: CPUSplit?
    }

    var pgqueuer: String
    var asyncpg: String
    var python: String
    var eventLoop: String
    var batchSize: Int
    var workerModel: String
    var enqueue: Throughput
    var drain: [Drain]
    var latency: LatencySummary

    var report: String {
        var lines = ["pgqueuer \(pgqueuer) (asyncpg \(asyncpg), Python \(python), \(eventLoop); batch_size \(batchSize); workers: \(workerModel)):"]
        lines.append("  enqueue:          \(enqueue.text)")
        for run in drain {
            let rate = Throughput(jobs: run.jobs, seconds: run.seconds, cpu: run.cpu)
            lines.append("  claim+complete:   \(run.workers) worker\(run.workers == 1 ? " " : "s"), \(rate.text)")
        }
        lines.append("  enqueue-to-claim: \(latency.text)")
        return lines.joined(separator: "\n")
    }
}
