import ArgumentParser
import Dispatch
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import Synchronization
import TokenWorker

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `flutterbye-bench queue`: the token job queue (`TokenJobQueue`) against PyPI's pgqueuer on the same PostgreSQL
/// cluster, each in a database of its own: enqueue rate with C concurrent enqueuers, claim+complete rate of no-op
/// jobs with 1 and with 8 workers, and enqueue-to-claim latency (p50/p99) with LISTEN/NOTIFY. Prints both sides and
/// the ratios, and whether the targets (at least 2x pgqueuer's throughput, p50 latency under 5 ms) are met.
struct QueueBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Job queue throughput and enqueue-to-claim latency: TokenJobQueue vs pgqueuer, on one PostgreSQL cluster.",
        discussion: """
            Starts a throwaway PostgreSQL cluster (Tests/Support/postgres-cluster.sh; stopped afterwards, also on \
            failure or Ctrl-C) unless --database-url names a server, on which two databases are created and dropped. \
            The pgqueuer side is Benchmarks/reference/pgqueuer_queue.py; it needs \
            `.venv/bin/pip install -r Benchmarks/reference/requirements.txt`.
            """)

    @Option(help: "Jobs in each throughput run (the enqueue run and each claim+complete run), on each side.")
    var jobs = 10_000

    @Option(help: "Concurrent enqueuers, each on its own connection (the same on both sides).")
    var enqueuers = 8

    @Option(help: "Worker counts of the claim+complete runs, comma-separated.")
    var workers = "1,8"

    @Option(help: "Jobs one claim takes (pgqueuer's QueueManager.run default batch_size is 10).")
    var batchSize = 10

    @Option(help: "Enqueue-to-claim samples (jobs enqueued one at a time).")
    var latencySamples = 500

    @Option(help: "Milliseconds between two latency enqueues.")
    var latencyIntervalMs = 3

    @Option(help: "The latency worker's fallback poll interval in milliseconds (TokenWorkerService's default: 1000).")
    var pollIntervalMs = 1_000

    @Option(help: "TokenJobQueue's maxBatchesInFlight: concurrent enqueue (and confirm) statements it gathers calls into.")
    var batchesInFlight = 2

    @Option(help: "Claimed batches a worker may have awaiting completion while it claims the next (1: claim, complete, claim...).")
    var completionsInFlight = 2

    @Option(name: .customLong("database-url"), help: "Use this server instead of a throwaway cluster (needs CREATEDB).")
    var databaseURL: String?

    @Option(help: "Python with pgqueuer installed (default: FLUTTERBYE_PYTHON, else .venv/bin/python).")
    var python: String?

    @Flag(help: "Measure only TokenJobQueue.")
    var skipPgqueuer = false

    func validate() throws {
        guard jobs >= 1, enqueuers >= 1, batchSize >= 1, latencySamples >= 1, latencyIntervalMs >= 0, pollIntervalMs >= 1,
            batchesInFlight >= 1, completionsInFlight >= 1
        else {
            throw ValidationError(
                "--jobs, --enqueuers, --batch-size, --latency-samples, --poll-interval-ms, --batches-in-flight and --completions-in-flight must be at least 1")
        }
        _ = try workerCounts()
    }

    func workerCounts() throws -> [Int] {
        let counts = workers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--workers must be positive numbers separated by commas, such as 1,8")
        }
        return counts.compactMap { $0 }
    }

    func run() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let settings = QueueBenchmarkSettings(
            jobs: jobs, enqueuers: enqueuers, workerCounts: try workerCounts(), batchSize: batchSize,
            latencySamples: latencySamples, latencyInterval: .milliseconds(latencyIntervalMs), pollInterval: .milliseconds(pollIntervalMs),
            batchesInFlight: batchesInFlight, completionsInFlight: completionsInFlight)
        let reference = skipPgqueuer ? nil : try PgqueuerReference(root: root, python: python)
        try reference?.checkImportable()

        let server = try BenchmarkServer.start(databaseURL: databaseURL, root: root)
        let trap = SignalTrap { server.stop() }
        defer {
            server.stop()
            trap.cancel()
        }

        let logger = {
            var logger = Logger(label: "flutterbye.bench.queue")
            logger.logLevel = .error
            return logger
        }()
        let databases = try runBlocking { try await BenchmarkDatabases.create(on: server.configuration, logger: logger) }
        defer {
            // A throwaway cluster goes away whole; on an existing server the two databases are dropped, also on failure.
            if case .existing(let configuration) = server {
                do { try runBlocking { try await databases.drop(on: configuration, logger: logger) } } catch {
                    FileHandle.standardError.write(Data("could not drop \(databases.flutterbye.database) and \(databases.pgqueuer.database): \(error)\n".utf8))
                }
            }
        }
        say(
            "queue benchmark: PostgreSQL \(databases.serverVersion) (\(server.kind); fsync=\(databases.fsync), "
                + "synchronous_commit=\(databases.synchronousCommit)), \(ProcessInfo.processInfo.activeProcessorCount) cores; "
                + "\(jobs) jobs per run, \(enqueuers) concurrent enqueuers, claim batch \(batchSize)")

        let ours = try runBlocking {
            try await FlutterbyeQueueWorkload(database: databases.flutterbye, settings: settings, logger: logger).run()
        }
        say(ours.report(name: "TokenJobQueue"))

        var theirs: PgqueuerFigures?
        if let reference {
            let figures = try reference.run(database: databases.pgqueuer, settings: settings)
            say(figures.report)
            theirs = figures
        }
        say(QueueComparison(ours: ours, theirs: theirs, settings: settings).report)
    }
}

/// The workload's parameters, shared by both sides.
struct QueueBenchmarkSettings: Sendable {
    var jobs: Int
    var enqueuers: Int
    var workerCounts: [Int]
    var batchSize: Int
    var latencySamples: Int
    var latencyInterval: Duration
    var pollInterval: Duration
    var batchesInFlight: Int
    var completionsInFlight: Int
}

/// The two databases, one per queue, so neither disturbs the other (NOTIFY channels and tables are per database).
struct BenchmarkDatabases: Sendable {
    var flutterbye: DatabaseConfiguration
    var pgqueuer: DatabaseConfiguration
    var serverVersion: String
    var fsync: String
    var synchronousCommit: String

    /// Creates `flutterbye_bench_<suffix>` and `pgqueuer_bench_<suffix>` on the server.
    static func create(on server: DatabaseConfiguration, logger: Logger) async throws -> BenchmarkDatabases {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        var flutterbye = server
        flutterbye.database = "flutterbye_bench_\(suffix)"
        var pgqueuer = server
        pgqueuer.database = "pgqueuer_bench_\(suffix)"
        let names = [flutterbye.database, pgqueuer.database]
        let (version, fsync, synchronousCommit) = try await withAdmin(server, logger: logger) { admin in
            for name in names {
                try await admin.query("CREATE DATABASE \(unescaped: name)", logger: logger)
            }
            return (
                try await setting("server_version", admin, logger), try await setting("fsync", admin, logger),
                try await setting("synchronous_commit", admin, logger)
            )
        }
        return BenchmarkDatabases(
            flutterbye: flutterbye, pgqueuer: pgqueuer, serverVersion: version, fsync: fsync, synchronousCommit: synchronousCommit)
    }

    /// Drops both databases (on an existing server; a throwaway cluster goes away whole).
    func drop(on server: DatabaseConfiguration, logger: Logger) async throws {
        let names = [flutterbye.database, pgqueuer.database]
        try await Self.withAdmin(server, logger: logger) { admin in
            for name in names {
                try await admin.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger)
            }
        }
    }

    private static func setting(_ name: String, _ client: PostgresClient, _ logger: Logger) async throws -> String {
        for try await row in try await client.query("SELECT current_setting(\(name)) AS value", logger: logger) {
            return try row.makeRandomAccess()["value"].decode(String.self)
        }
        return "?"
    }

    static func withAdmin<Result: Sendable>(
        _ server: DatabaseConfiguration, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let admin = PostgresClient(configuration: server.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            defer { group.cancelAll() }
            return try await body(admin)
        }
    }
}

// MARK: - Our side

/// The TokenJobQueue side, through its public API only: `enqueue` (checked by `enqueue_token_job`'s rules; concurrent
/// calls share an INSERT), `claim`, and `markConfirmed` of the claimed batch (the "complete" of no-op jobs: the state
/// the backend reads as done; concurrent completions share a statement, as pgqueuer's buffer writes completions
/// together), and LISTEN on `TokenJobQueue.notificationChannel` for the latency run, as `TokenWorkerService` does.
struct FlutterbyeQueueWorkload: Sendable {
    let database: DatabaseConfiguration
    let settings: QueueBenchmarkSettings
    let logger: Logger

    /// What every benchmark job asks for (valid for `enqueue_token_job`; nothing is sent anywhere).
    static let recipient = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"

    /// A syntactically valid signature (64 bytes, base58) for `markConfirmed`, which stores it unchecked.
    static let signature: String = {
        guard let keypair = try? Keypair(seed: [UInt8](repeating: 7, count: 32)) else { return String(repeating: "1", count: 64) }
        return keypair.sign(Array("flutterbye bench".utf8)).base58
    }()

    static func request(key: String) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token", decimals: 6, name: "Flutterbye Bench", symbol: "FBENCH",
            uri: "https://flutterbye.example/bench.json", amount: "1000000000", recipient: recipient)
    }

    func run() async throws -> QueueFigures {
        var configuration = database.clientConfiguration
        let connections = max(settings.enqueuers, settings.workerCounts.max() ?? 1) + 2
        configuration.options.maximumConnections = connections
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await SchemaMigrator.bundled().apply(on: client, logger: logger)
            try await warmUp(client, connections: connections)
            let queue = TokenJobQueue(
                client: client, logger: logger, maxBatchesInFlight: settings.batchesInFlight, keptConnections: connections - 2)

            let enqueueCPU = ProcessCPU.now()
            let enqueueTime = try await enqueue(queue, keys: "enqueue", count: settings.jobs)
            let enqueueSplit = CPUSplit(ProcessCPU.now() - enqueueCPU)
            var drains: [DrainFigure] = []
            for (index, workers) in settings.workerCounts.enumerated() {
                // The enqueue run left exactly `jobs` jobs for the first drain; later ones get a new batch (untimed).
                if index > 0 { _ = try await enqueue(queue, keys: "drain\(index)", count: settings.jobs) }
                drains.append(try await drain(queue, workers: workers, run: index))
            }
            let latencies = try await latency(client, queue)
            return QueueFigures(
                enqueue: Throughput(jobs: settings.jobs, seconds: enqueueTime.seconds, cpu: enqueueSplit), drains: drains,
                latency: LatencySummary(latencies.map(\.milliseconds)))
        }
    }

    /// Opens the pool's connections before anything is timed (pgqueuer's side connects before timing too).
    private func warmUp(_ client: PostgresClient, connections: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<connections {
                group.addTask { _ = try await client.query("SELECT pg_sleep(0.05)", logger: logger) }
            }
            try await group.waitForAll()
        }
    }

    /// Enqueues `count` jobs, one `enqueue` call each, from `settings.enqueuers` concurrent tasks.
    private func enqueue(_ queue: TokenJobQueue, keys: String, count: Int) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for first in 0..<settings.enqueuers {
                group.addTask { [enqueuers = settings.enqueuers] in
                    for index in stride(from: first, to: count, by: enqueuers) {
                        let result = try await queue.enqueue(Self.request(key: "\(keys)-\(index)"))
                        guard result.inserted else { throw BenchmarkFailure("job \(keys)-\(index) already existed") }
                    }
                }
            }
            try await group.waitForAll()
        }
        return start.duration(to: clock.now)
    }

    /// `workers` concurrent workers, each a claim loop: claim a batch, hand its completion (`markConfirmed` of the
    /// batch) to a task of its own and claim the next batch at once, with at most `completionsInFlight` completions
    /// outstanding, until a claim comes back empty. So does `TokenWorkerService`: its claim loop claims as slots
    /// free up while its runners record their jobs' results; pgqueuer's QueueManager likewise dequeues the next
    /// batch while its completion buffer writes the finished jobs.
    private func drain(_ queue: TokenJobQueue, workers: Int, run: Int) async throws -> DrainFigure {
        let clock = ContinuousClock()
        let start = clock.now
        let cpuBefore = ProcessCPU.now()
        let completed = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<workers {
                group.addTask { [batchSize = settings.batchSize, outstanding = settings.completionsInFlight] in
                    let workerID = "bench-run\(run)-worker\(worker)"
                    return try await withThrowingTaskGroup(of: Int.self) { completions in
                        var done = 0, inFlight = 0
                        while true {
                            let batch = try await queue.claim(workerID: workerID, limit: batchSize, lease: .seconds(60))
                            if batch.isEmpty { break }
                            if inFlight == outstanding, let count = try await completions.next() {
                                done += count
                                inFlight -= 1
                            }
                            completions.addTask {
                                let marked = try await queue.markConfirmed(batch.compactMap { $0.lease.map { (lease: $0, signature: Self.signature) } })
                                guard marked.count == batch.count else { throw BenchmarkFailure("\(workerID) lost claimed jobs") }
                                return marked.count
                            }
                            inFlight += 1
                        }
                        for try await count in completions { done += count }
                        return done
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = start.duration(to: clock.now)
        let cpu = CPUSplit(ProcessCPU.now() - cpuBefore)
        let left = try await queue.countsByState()
        guard completed == settings.jobs, (left[.available] ?? 0) == 0, (left[.running] ?? 0) == 0 else {
            throw BenchmarkFailure("the drain with \(workers) workers completed \(completed) of \(settings.jobs) jobs; states now: \(left)")
        }
        return DrainFigure(workers: workers, throughput: Throughput(jobs: completed, seconds: elapsed.seconds, cpu: cpu))
    }

    /// One worker woken by LISTEN (and polling as a fallback) claims each job a producer enqueues one at a time;
    /// the latency of a job is the time from the start of its `enqueue` call to the return of the claim that got it.
    private func latency(_ client: PostgresClient, _ queue: TokenJobQueue) async throws -> [Duration] {
        let clock = ContinuousClock()
        let wake = WakeSignal()
        let listening = ListenReady()
        let starts = EnqueueStarts()
        let samples = settings.latencySamples
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    try await connection.listen(on: TokenJobQueue.notificationChannel) { notifications in
                        for try await notification in notifications {
                            if notification.payload == "ready" { listening.set() }
                            wake.signal()
                        }
                    }
                }
            }
            defer { group.cancelAll() }
            // LISTEN is in place once our own NOTIFY comes back through it.
            let listenDeadline = clock.now + .seconds(10)
            while !listening.isSet {
                guard clock.now < listenDeadline else { throw BenchmarkFailure("LISTEN \(TokenJobQueue.notificationChannel) never received a notification") }
                try await client.query("SELECT pg_notify(\(TokenJobQueue.notificationChannel), 'ready')", logger: logger)
                await wake.wait(timeout: .milliseconds(100))
            }
            let deadline = clock.now + settings.latencyInterval * samples + .seconds(30)
            async let measured: [Duration] = {
                var latencies: [Duration] = []
                latencies.reserveCapacity(samples)
                while latencies.count < samples {
                    guard clock.now < deadline else { throw BenchmarkFailure("only \(latencies.count) of \(samples) latency jobs were claimed in time") }
                    let batch = try await queue.claim(workerID: "bench-latency", limit: settings.batchSize, lease: .seconds(60))
                    let claimedAt = clock.now
                    for job in batch {
                        if let start = starts.take(job.request.idempotencyKey) { latencies.append(start.duration(to: claimedAt)) }
                    }
                    _ = try await queue.markConfirmed(batch.compactMap { $0.lease.map { (lease: $0, signature: Self.signature) } })
                    // Like TokenWorkerService: after a claim that found nothing, wait for a notification or the poll
                    // interval; after one that found jobs (a freed slot), claim again at once.
                    if batch.isEmpty { await wake.wait(timeout: settings.pollInterval) }
                }
                return latencies
            }()
            for index in 0..<samples {
                let key = "latency-\(index)"
                starts.record(key, clock.now)
                _ = try await queue.enqueue(Self.request(key: key))
                try await Task.sleep(for: settings.latencyInterval)
            }
            return try await measured
        }
    }
}

/// Set once the latency worker's LISTEN has received the benchmark's own test notification.
final class ListenReady: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

/// When each latency job's `enqueue` call started, by idempotency key.
final class EnqueueStarts: Sendable {
    private let starts = Mutex<[String: ContinuousClock.Instant]>([:])

    func record(_ key: String, _ instant: ContinuousClock.Instant) { starts.withLock { $0[key] = instant } }
    func take(_ key: String) -> ContinuousClock.Instant? { starts.withLock { $0.removeValue(forKey: key) } }
}

// MARK: - pgqueuer's side

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

// MARK: - Figures and the report

/// Jobs over seconds, and the CPU time the run took on each side when it was measured.
struct Throughput: Sendable, Decodable {
    var jobs: Int
    var seconds: Double
    var cpu: CPUSplit? = nil
    var perSecond: Double { seconds > 0 ? Double(jobs) / seconds : 0 }

    /// "10000 jobs in 0.726 s = 13778 jobs/s; CPU per job: client 30 µs, PostgreSQL 80 µs".
    var text: String {
        var text = "\(jobs) jobs in \(format(seconds, 3)) s = \(format(perSecond, 0)) jobs/s"
        if let cpu, jobs > 0 {
            text += "; CPU per job: client \(format(cpu.client / Double(jobs) * 1e6, 0)) µs, PostgreSQL \(format(cpu.postgres / Double(jobs) * 1e6, 0)) µs"
        }
        return text
    }
}

/// CPU seconds (user + system) one run took in the queue's client process and in all PostgreSQL processes.
struct CPUSplit: Sendable, Decodable {
    var client: Double
    var postgres: Double

    init(_ cpu: ProcessCPU) {
        client = cpu.benchmark
        postgres = cpu.postgres
    }
}

/// One claim+complete run.
struct DrainFigure: Sendable {
    var workers: Int
    var throughput: Throughput
}

/// Enqueue-to-claim latencies in milliseconds: nearest-rank percentiles (the same definition on both sides).
struct LatencySummary: Sendable, Decodable {
    var samples: Int
    var p50Ms: Double
    var p99Ms: Double
    var meanMs: Double
    var maxMs: Double

    init(_ milliseconds: [Double]) {
        let ordered = milliseconds.sorted()
        func percentile(_ p: Int) -> Double {
            guard !ordered.isEmpty else { return .nan }
            let rank = min(ordered.count, max(1, (p * ordered.count + 99) / 100))
            return ordered[rank - 1]
        }
        samples = ordered.count
        p50Ms = percentile(50)
        p99Ms = percentile(99)
        meanMs = ordered.isEmpty ? .nan : ordered.reduce(0, +) / Double(ordered.count)
        maxMs = ordered.last ?? .nan
    }

    var text: String {
        "p50 \(format(p50Ms, 2)) ms, p99 \(format(p99Ms, 2)) ms (mean \(format(meanMs, 2)), max \(format(maxMs, 2)); \(samples) samples)"
    }
}

/// TokenJobQueue's figures.
struct QueueFigures: Sendable {
    var enqueue: Throughput
    var drains: [DrainFigure]
    var latency: LatencySummary

    func report(name: String) -> String {
        var lines = ["\(name):"]
        lines.append("  enqueue:          \(enqueue.text)")
        for drain in drains {
            lines.append("  claim+complete:   \(drain.workers) worker\(drain.workers == 1 ? " " : "s"), \(drain.throughput.text)")
        }
        lines.append("  enqueue-to-claim: \(latency.text)")
        return lines.joined(separator: "\n")
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

/// The ratios and the targets: at least 2x pgqueuer's throughput, p50 enqueue-to-claim under 5 ms.
struct QueueComparison {
    var ours: QueueFigures
    var theirs: PgqueuerFigures?
    var settings: QueueBenchmarkSettings

    static let throughputTarget = 2.0
    static let latencyTargetMs = 5.0

    var report: String {
        var lines = ["ratios (TokenJobQueue / pgqueuer; target >= \(format(Self.throughputTarget, 1))x):"]
        if let theirs {
            lines.append(line("enqueue (\(settings.enqueuers) enqueuers)", ours.enqueue.perSecond, theirs.enqueue.perSecond))
            for drain in ours.drains {
                guard let other = theirs.drain.first(where: { $0.workers == drain.workers }) else { continue }
                let label = "claim+complete (\(drain.workers) worker\(drain.workers == 1 ? "" : "s"))"
                lines.append(line(label, drain.throughput.perSecond, Throughput(jobs: other.jobs, seconds: other.seconds).perSecond))
            }
            lines.append(
                "  enqueue-to-claim p50:          \(format(ours.latency.p50Ms, 2)) ms vs pgqueuer \(format(theirs.latency.p50Ms, 2)) ms"
                    + " (p99 \(format(ours.latency.p99Ms, 2)) vs \(format(theirs.latency.p99Ms, 2)) ms)")
        } else {
            lines.append("  (pgqueuer skipped)")
        }
        let met = ours.latency.p50Ms < Self.latencyTargetMs
        lines.append("  p50 enqueue-to-claim target < \(format(Self.latencyTargetMs, 0)) ms: \(format(ours.latency.p50Ms, 2)) ms, \(met ? "met" : "MISSED")")
        return lines.joined(separator: "\n")
    }

    private func line(_ label: String, _ ours: Double, _ theirs: Double) -> String {
        let ratio = theirs > 0 ? ours / theirs : .nan
        let padded = label.padding(toLength: 30, withPad: " ", startingAt: 0)
        return "  \(padded) \(format(ratio, 2))x (\(format(ours, 0)) vs \(format(theirs, 0)) jobs/s): \(ratio >= Self.throughputTarget ? "met" : "MISSED")"
    }
}

// MARK: - Helpers

/// A benchmark step that went wrong, with what to do about it.
struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs async work from the synchronous `run()` of this command (the benchmark's root command is a synchronous
/// `ParsableCommand`): the main thread waits while the work runs on the global executor.
func runBlocking<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) throws -> Result {
    let box = BlockingResult<Result>()
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Swift.Result<Result, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        box.set(result)
        done.signal()
    }
    done.wait()
    guard let result = box.get() else { throw BenchmarkFailure("the benchmark task ended without a result") }
    return try result.get()
}

/// Hands the result of `runBlocking`'s task to the waiting thread.
final class BlockingResult<Value: Sendable>: Sendable {
    private let value = Mutex<Swift.Result<Value, any Error>?>(nil)
    func set(_ result: Swift.Result<Value, any Error>) { value.withLock { $0 = result } }
    func get() -> Swift.Result<Value, any Error>? { value.withLock { $0 } }
}

/// Durations as the floating-point figures the report prints.
extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}

/// Writes a line to stdout unbuffered, so that each figure shows as soon as it is measured, also through a pipe.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// `value` with `decimals` digits after the point.
func format(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
