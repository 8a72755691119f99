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

    @Option(help: "Rounds: each measures TokenJobQueue, then pgqueuer, on new databases; each row's verdict is its median ratio.")
    var rounds = 3

    @Option(name: .customLong("database-url"), help: "Use this server instead of a throwaway cluster (needs CREATEDB).")
    var databaseURL: String?

    @Option(help: "Python with pgqueuer installed (default: FLUTTERBYE_PYTHON, else .venv/bin/python).")
    var python: String?

    @Flag(help: "Measure only TokenJobQueue.")
    var skipPgqueuer = false

    func validate() throws {
        guard jobs >= 1, enqueuers >= 1, batchSize >= 1, latencySamples >= 1, latencyIntervalMs >= 0, pollIntervalMs >= 1,
            batchesInFlight >= 1, completionsInFlight >= 1, rounds >= 1
        else {
            throw ValidationError(
                "--jobs, --enqueuers, --batch-size, --latency-samples, --poll-interval-ms, --batches-in-flight, --completions-in-flight and --rounds must be at least 1"
            )
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
        let root = BenchmarkPaths.root
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
        var measured: [QueueRound] = []
        for round in 1...rounds {
            measured.append(try measure(round: round, on: server, settings: settings, reference: reference, logger: logger))
        }
        say(QueueComparison(rounds: measured, settings: settings).report)
    }

    /// One round on two new databases, dropped afterwards (also on failure).
    private func measure(
        round: Int, on server: BenchmarkServer, settings: QueueBenchmarkSettings, reference: PgqueuerReference?, logger: Logger
    ) throws -> QueueRound {
        let databases = try runBlocking { try await BenchmarkDatabases.create(on: server.configuration, logger: logger) }
        defer {
            do { try runBlocking { try await databases.drop(on: server.configuration, logger: logger) } } catch {
                FileHandle.standardError.write(
                    Data("could not drop \(databases.flutterbye.database) and \(databases.pgqueuer.database): \(error)\n".utf8))
            }
        }
        if round == 1 {
            say(
                "queue benchmark: PostgreSQL \(databases.serverVersion) (\(server.kind); fsync=\(databases.fsync), "
                    + "synchronous_commit=\(databases.synchronousCommit)), \(ProcessInfo.processInfo.activeProcessorCount) cores; "
                    + "\(jobs) jobs per run, \(enqueuers) concurrent enqueuers, claim batch \(batchSize), \(rounds) round\(rounds == 1 ? "" : "s")")
        }
        say("round \(round) of \(rounds):")
        let ours = try runBlocking {
            try await FlutterbyeQueueWorkload(database: databases.flutterbye, settings: settings, logger: logger).run()
        }
        say(ours.report(name: "TokenJobQueue"))
        let theirs = try reference.map { try $0.run(database: databases.pgqueuer, settings: settings) }
        if let theirs { say(theirs.report) }
        return QueueRound(ours: ours, theirs: theirs)
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
