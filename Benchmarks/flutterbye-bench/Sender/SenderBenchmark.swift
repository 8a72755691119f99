import ArgumentParser
import Foundation
import Logging
import PostgresNIO

/// `flutterbye-bench sender`: the token sender end to end, through the `flutterbye worker` process and its
/// environment only (so it measures today's worker and a rewritten one alike), each workload on a fresh local chain
/// and a fresh database: JSON-RPC calls per landed job, throughput against a solders sender on the same chain,
/// enqueue-to-confirmed latency in slots, and throughput under a client-side rate limit. Prints each figure with its
/// target in a final table.
struct SenderBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sender",
        abstract: "The token sender end to end: calls per job, throughput vs a solders sender, latency, rate-limited throughput.",
        discussion: """
            Each workload gets a fresh Tests/LocalChain/local_chain.py (the venv's Python; run Tests/run or \
            Tests/Support/python-venv.sh once), a fresh database on a throwaway PostgreSQL cluster \
            (Tests/Support/postgres-cluster.sh) unless --database-url names a server (needs CREATEDB; the databases \
            are dropped), the schema applied by `flutterbye migrate`, a payer funded by airdrop, and one \
            `flutterbye worker` (the executable next to this one: `swift run -c release flutterbye-bench` builds \
            both) with DATABASE_URL, SOLANA_RPC_URL, SOLANA_WS_URL (the chain's PubSub endpoint), SOLANA_PRIVATE_KEY, FLUTTERBYE_MASTER_SEED, \
            FLUTTERBYE_LOG_LEVEL=warning and the --worker-env settings. Jobs are enqueued with SQL \
            enqueue_token_job, alternately for Token and Token-2022. The throughput reference is \
            Benchmarks/reference/solders_token_sender.py on fresh chains. A wait that passes --time-limit reports \
            what it reached and the worker's last log lines. Every process started is stopped on exit, failure \
            and Ctrl-C; the logs stay in the directory printed at the start.
            """)

    @Option(help: "Workloads to run, comma-separated: calls, throughput, latency, rate-limited, or all.")
    var workloads = "all"

    @Option(help: "Jobs of the calls workload, enqueued at once.")
    var callJobs = 500

    @Option(help: "Jobs of the throughput workload, enqueued at once.")
    var throughputJobs = 1_000

    @Option(help: "Jobs of the latency workload, one every --latency-interval-ms.")
    var latencyJobs = 60

    @Option(help: "Milliseconds between two enqueues of the latency workload.")
    var latencyIntervalMs = 500

    @Option(help: "Jobs of the rate-limited workload, enqueued at once.")
    var rateLimitedJobs = 300

    @Option(help: "SOLANA_RPC_REQUESTS_PER_SECOND of the rate-limited workload's worker.")
    var requestsPerSecond = 20

    @Option(help: "Transactions the throughput reference lands (default: --throughput-jobs).")
    var referenceTransactions: Int?

    @Option(help: "Preflight of the throughput reference's sends: on, off or both.")
    var referencePreflight: ReferencePreflight = .both

    @Flag(help: "Measure the throughput workload without its reference.")
    var skipReference = false

    @Option(help: "The local chains' slot time (local_chain.py --slot-ms).")
    var slotMs = 100

    @Option(name: .customLong("worker-env"), help: ArgumentHelp("A setting for every worker, KEY=VALUE (repeatable).", valueName: "KEY=VALUE"))
    var workerEnv: [String] = []

    @Option(help: "Seconds one wait of a workload (for landing, for finalization) may take before it reports what it reached.")
    var timeLimit = 600

    @Flag(help: "Go on with the next workload when one fails (the summary marks it FAILED).")
    var keepGoing = false

    @OptionGroup var processOptions: ProcessBenchmarkOptions

    enum ReferencePreflight: String, ExpressibleByArgument, Sendable {
        case on, off, both
        var settings: [Bool] { self == .both ? [true, false] : [self == .on] }
    }

    func validate() throws {
        guard callJobs >= 1, throughputJobs >= 1, latencyJobs >= 1, rateLimitedJobs >= 1, requestsPerSecond >= 1, slotMs >= 1, timeLimit >= 1,
            latencyIntervalMs >= 0, (referenceTransactions ?? 1) >= 1
        else { throw ValidationError("job counts, --requests-per-second, --slot-ms and --time-limit must be at least 1") }
        _ = try selectedWorkloads()
        _ = try workerEnvironment()
    }

    func selectedWorkloads() throws -> [SenderWorkload] {
        let names = workloads.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if names == ["all"] { return SenderWorkload.allCases }
        let chosen = try names.map { name in
            guard let workload = SenderWorkload(rawValue: name) else {
                throw ValidationError(
                    "unknown workload \(name): choose from \(SenderWorkload.allCases.map(\.rawValue).joined(separator: ", ")) or all")
            }
            return workload
        }
        return SenderWorkload.allCases.filter(chosen.contains)
    }

    func workerEnvironment() throws -> [String: String] {
        var environment: [String: String] = [:]
        for setting in workerEnv {
            guard let equals = setting.firstIndex(of: "="), equals != setting.startIndex else {
                throw ValidationError("--worker-env \(setting) is not KEY=VALUE")
            }
            let name = String(setting[..<equals])
            guard !WorkerProcess.managedVariables.contains(name) else {
                throw ValidationError("--worker-env cannot set \(name): the benchmark sets it for each workload")
            }
            environment[name] = String(setting[setting.index(after: equals)...])
        }
        return environment
    }

    func run() throws {
        let chosen = try selectedWorkloads()
        let interpreter = try BenchmarkPaths.python(processOptions.python)
        let binary = try processOptions.binary()
        try processOptions.withProcesses("sender") { logs, processes, server in
            try run(chosen, python: interpreter, binary: binary, logs: logs, processes: processes, server: server)
        }
    }

    private func run(
        _ chosen: [SenderWorkload], python interpreter: String, binary: URL, logs: URL, processes: ChildProcesses, server: BenchmarkServer
    ) throws {
        let logger = {
            var logger = Logger(label: "flutterbye.bench.sender")
            logger.logLevel = .error
            return logger
        }()
        say(
            "sender benchmark: \(chosen.map(\.rawValue).joined(separator: ", ")); \(ProcessInfo.processInfo.activeProcessorCount) cores, "
                + "slots of \(slotMs) ms, PostgreSQL: \(server.kind), worker: \(binary.path), logs in \(logs.path)")

        let settings = SenderRigSettings(
            server: server, python: interpreter, workerBinary: binary, slotMs: slotMs, workerEnvironment: try workerEnvironment(),
            timeLimit: .seconds(timeLimit), processes: processes, logDirectory: logs, logger: logger)
        let reference =
            skipReference
            ? nil
            : TokenSenderReference(
                python: interpreter, slotMs: slotMs, transactions: referenceTransactions ?? throughputJobs, timeLimit: .seconds(timeLimit),
                processes: processes, logDirectory: logs)
        let measurements = SenderWorkloads(
            settings: settings, callJobs: callJobs, throughputJobs: throughputJobs, latencyJobs: latencyJobs,
            latencyInterval: .milliseconds(latencyIntervalMs), rateLimitedJobs: rateLimitedJobs, requestsPerSecond: requestsPerSecond,
            reference: reference, referencePreflight: referencePreflight.settings)

        var summary = SenderSummary()
        for workload in chosen {
            do {
                summary.figures += try runBlocking {
                    switch workload {
                    case .calls: return try await measurements.calls()
                    case .throughput: return try await measurements.throughput()
                    case .latency: return try await measurements.latency()
                    case .rateLimited: return try await measurements.rateLimited()
                    }
                }
            } catch {
                let reason = (error as? PSQLError).map { String(reflecting: $0) } ?? "\(error)"
                say("\(workload.rawValue): failed: \(reason)")
                summary.failures.append((workload.rawValue, reason))
                processes.stopAll()
                if !keepGoing { break }
            }
        }
        say(summary.table)
        if !summary.failures.isEmpty { throw ExitCode.failure }
    }
}
