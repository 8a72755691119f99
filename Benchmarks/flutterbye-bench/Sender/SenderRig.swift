import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import Synchronization

/// What every workload of the sender benchmark shares: the server, the binaries, the options that configure the
/// worker and the chain, and the processes started so far.
struct SenderRigSettings: Sendable {
    var server: BenchmarkServer
    var python: String
    var workerBinary: URL
    var slotMs: Int
    /// `--worker-env` settings, given to every worker.
    var workerEnvironment: [String: String]
    /// How long one wait of a workload (for landing, for finalization) may take before it reports what it reached.
    var timeLimit: Duration
    var processes: ChildProcesses
    /// Where the chains' and workers' logs go.
    var logDirectory: URL
    var logger: Logger
}

/// What one workload runs on, all of it new: a local chain, a database with the schema applied by
/// `flutterbye migrate`, a payer funded by airdrop, and then one `flutterbye worker` process. Everything is stopped
/// (and on an existing server the database dropped) when the workload is done, also when it fails.
final class SenderRig: Sendable {
    /// The lamports the payer gets: 10,000 SOL.
    static let payerFunds: UInt64 = 10_000 * 1_000_000_000

    let name: String
    let settings: SenderRigSettings
    let chain: LocalChainProcess
    let jobs: SenderJobs
    /// The wallet every job mints to.
    let recipient = Keypair.generate().publicKey.base58
    private let database: DatabaseConfiguration
    private let payer: Keypair
    private let masterSeed: String
    private let running = Mutex<WorkerProcess?>(nil)

    private init(
        name: String, settings: SenderRigSettings, chain: LocalChainProcess, jobs: SenderJobs, database: DatabaseConfiguration, payer: Keypair
    ) {
        self.name = name
        self.settings = settings
        self.chain = chain
        self.jobs = jobs
        self.database = database
        self.payer = payer
        var generator = SystemRandomNumberGenerator()
        masterSeed = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Sets a rig up for workload `name`, runs `body` on it and takes it down.
    static func run<Result: Sendable>(
        _ name: String, settings: SenderRigSettings, _ body: @Sendable (SenderRig) async throws -> Result
    ) async throws -> Result {
        let logger = settings.logger
        if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8).split(separator: " ").first {
            say("  (load average before \(name): \(load) on \(ProcessInfo.processInfo.activeProcessorCount) cores)")
        }
        let prefix = "flutterbye_sender_\(name.replacingOccurrences(of: "-", with: "_"))"
        return try await settings.server.withDatabase(prefix, logger: logger) { database in
            try migrate(database, settings: settings, name: name)
            let chain = try LocalChainProcess(
                python: settings.python, slotMs: settings.slotMs, log: settings.logDirectory.appendingPathComponent("\(name)-chain.log"),
                processes: settings.processes)
            defer { chain.stop(settings.processes) }
            let payer = Keypair.generate()
            try await chain.fund(payer.publicKey.base58, lamports: payerFunds)
            let client = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                let rig = SenderRig(
                    name: name, settings: settings, chain: chain, jobs: SenderJobs(client: client, logger: logger), database: database, payer: payer)
                do {
                    let result = try await body(rig)
                    rig.stopWorker()
                    return result
                } catch {
                    rig.stopWorker()
                    throw error
                }
            }
        }
    }

    /// Applies the schema with the worker's own binary (`flutterbye migrate`), so the tables are the ones it expects.
    private static func migrate(_ database: DatabaseConfiguration, settings: SenderRigSettings, name: String) throws {
        try settings.processes.runToEnd(
            settings.workerBinary.path, ["migrate"], environment: ["DATABASE_URL": database.connectionURL],
            log: settings.logDirectory.appendingPathComponent("\(name)-migrate.log"))
    }

    // MARK: The worker

    /// The worker's environment: the database, the chain, the payer's base58 secret, the master seed, log level
    /// warning and a worker id; then `--worker-env`; then `extra` (the workload's own settings).
    func workerEnvironment(extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "DATABASE_URL": database.connectionURL, "SOLANA_RPC_URL": chain.url, "SOLANA_WS_URL": chain.webSocketURL,
            "SOLANA_PRIVATE_KEY": Base58.encode(payer.exportSecretKey()),
            "FLUTTERBYE_MASTER_SEED": masterSeed, "FLUTTERBYE_LOG_LEVEL": "warning", "FLUTTERBYE_WORKER_ID": "bench-\(name)",
        ]
        environment.merge(settings.workerEnvironment) { $1 }
        environment.merge(extra) { $1 }
        return environment
    }

    /// Starts the one worker of this workload and waits (up to 15 s) until it listens for new jobs, so that the
    /// clock of an enqueue does not run while the process starts. Fails when the worker exits meanwhile.
    @discardableResult
    func startWorker(extra: [String: String] = [:]) async throws -> WorkerProcess {
        let environment = workerEnvironment(extra: extra)
        say("  worker: \(settings.workerBinary.path) worker, \(WorkerProcess.printable(environment))")
        let worker = try WorkerProcess(
            binary: settings.workerBinary, environment: environment, log: settings.logDirectory.appendingPathComponent("\(name)-worker.log"),
            processes: settings.processes)
        running.withLock { $0 = worker }
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            guard worker.isRunning else { throw BenchmarkFailure("the worker exited at start; its last lines:\n\(worker.tail())") }
            if try await jobs.listeners() > 0 { return worker }
            try await Task.sleep(for: .milliseconds(50))
        }
        say("  (the worker has no LISTEN connection after 15 s; enqueueing anyway)")
        return worker
    }

    var worker: WorkerProcess? { running.withLock { $0 } }

    /// Stops the worker gracefully (SIGTERM; killed after 30 s); its exit status when it stopped by itself.
    @discardableResult
    func stopWorker() -> Int32? {
        guard
            let worker = running.withLock({ worker -> WorkerProcess? in
                defer { worker = nil }
                return worker
            })
        else { return nil }
        let status = worker.stop(settings.processes)
        let lines = worker.logLineCount
        if lines > 0 { say("  the worker logged \(lines) lines (warnings and errors): \(worker.log.path)") }
        return status
    }

    // MARK: Waiting

    /// How a wait ended.
    struct Wait: Sendable {
        var progress: SenderJobs.Progress
        /// When the goal was seen met (or the wait gave up).
        var at: ContinuousClock.Instant
        var reached: Bool
    }

    /// Polls the jobs every 100 ms until `goal` holds, printing progress every 5 s. Gives up when the time limit
    /// passes or the worker exits, printing what it reached, the worker's last log lines and the last job errors.
    func wait(for label: String, until goal: @Sendable (SenderJobs.Progress) -> Bool) async throws -> Wait {
        let start = ContinuousClock.now
        let deadline = start + settings.timeLimit
        var lastReport = start
        while true {
            let progress = try await jobs.progress()
            let now = ContinuousClock.now
            if goal(progress) { return Wait(progress: progress, at: now, reached: true) }
            let workerGone = !(worker?.isRunning ?? false)
            if now >= deadline || workerGone {
                let why = workerGone ? "the worker exited" : "the time limit (\(Int(settings.timeLimit.seconds)) s) passed"
                say("  \(name): \(why) before \(label): \(progress.text)")
                if let worker { say("  the worker's last log lines (\(worker.log.path)):\n" + indent(worker.tail())) }
                let errors = try await jobs.recentErrors()
                if !errors.isEmpty { say("  the last job errors:\n" + indent(errors.joined(separator: "\n"))) }
                return Wait(progress: progress, at: now, reached: false)
            }
            if now - lastReport >= .seconds(5) {
                say("  \(name): \(progress.text) after \(format(start.duration(to: now).seconds, 1)) s (waiting for \(label))")
                lastReport = now
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "    | " + $0 }.joined(separator: "\n")
    }
}
