import FlutterbyeStore
import FlutterbyeTestSupport
public import Foundation
public import SolanaCore

/// Starts `flutterbye worker` (or `flutterbye index`) processes (the binary next to this test bundle) against a test
/// database and a local chain, with the payer in a keypair file that is removed when the launcher is released. Each
/// process's output goes to a log file whose tail a failing test can show.
public final class WorkerProcessLauncher: @unchecked Sendable {
    /// A started worker and its log.
    public struct Worker: @unchecked Sendable {
        public let process: Process
        public let log: URL

        /// The last lines the worker wrote (its logs go to stderr).
        public func tail(_ lines: Int = 30) -> String {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
        }

        /// SIGTERM, then waits up to `seconds`: whether it exited with status 0 (a graceful stop). A worker still
        /// running then is killed, so a test never hangs on it. A stop that is not graceful is printed with what
        /// happened (still running, or how it ended, and when), for the test's log.
        public func stopGracefully(within seconds: Double = 30) async -> Bool {
            let signalled = ContinuousClock.now
            if process.isRunning { kill(process.processIdentifier, SIGTERM) }
            guard await ChildProcess.exit(of: process, within: .seconds(seconds)) else {
                kill9()
                print("\(log.lastPathComponent): still running \(seconds) s after SIGTERM; killed")
                return false
            }
            let graceful = process.terminationReason == .exit && process.terminationStatus == 0
            if !graceful {
                let how = process.terminationReason == .exit ? "exited with status" : "was ended by signal"
                print("\(log.lastPathComponent): \(how) \(process.terminationStatus), \(ContinuousClock.now - signalled) after SIGTERM")
            }
            return graceful
        }

        public func kill9() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    /// The `flutterbye` binary next to this test bundle (both are products of the same build), or the one
    /// FLUTTERBYE_TEST_BINARY names (a release build, for the long load run).
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["FLUTTERBYE_TEST_BINARY"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("flutterbye")
    }

    /// Throws, saying what to do, unless the binary is there.
    private static func requireBinary() throws {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw TestSupportError("\(binary.path) is missing: build the flutterbye product first (Tests/run does)")
        }
    }

    private let directory: URL
    private var environment: [String: String]
    private let command: String
    /// Arguments after the command (`--no-indexer`, ...).
    public var arguments: [String] = []

    /// Sets (or overrides) one variable of the environment the next processes start with.
    public func set(_ name: String, _ value: String) { environment[name] = value }

    /// A launcher of `flutterbye <command>` with `settings` as its environment beside the database and RPC URLs.
    public init(command: String, databaseURL: String, rpcURL: URL, settings: [String: String]) throws {
        try Self.requireBinary()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("flutterbye-\(command)-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.command = command
        // The test harness's own variables are none of the service's settings (it would warn about each).
        environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !(["FLUTTERBYE_TEST_", "FLUTTERBYE_LOAD_", "FLUTTERBYE_BENCH_"].contains { name.hasPrefix($0) }
                || ["FLUTTERBYE_PYTHON", "FLUTTERBYE_CHROMIUM", "FLUTTERBYE_BINARY"].contains(name))
        }
        environment["DATABASE_URL"] = databaseURL
        environment["SOLANA_RPC_URL"] = rpcURL.absoluteString
        environment.merge(settings) { $1 }
    }

    /// `databaseURL` and `rpcURL` are what the workers connect to; `settings` adds or overrides worker variables
    /// (FLUTTERBYE_JOB_LEASE_SECONDS, FLUTTERBYE_MAX_IN_FLIGHT, ...); `command` is `worker` or `run`.
    public init(
        databaseURL: String, rpcURL: URL, payer: Keypair, masterSeedHex: String, settings: [String: String] = [:], command: String = "worker"
    ) throws {
        try Self.requireBinary()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("flutterbye-workers-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.command = command
        let keyFile = directory.appendingPathComponent("payer.json")
        try Data(("[" + payer.exportSecretKey().map(String.init).joined(separator: ",") + "]").utf8).write(to: keyFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)
        // The test harness's own variables are none of the service's settings (it would warn about each).
        environment = ProcessInfo.processInfo.environment.filter { name, _ in
            !(["FLUTTERBYE_TEST_", "FLUTTERBYE_LOAD_", "FLUTTERBYE_BENCH_"].contains { name.hasPrefix($0) }
                || ["FLUTTERBYE_PYTHON", "FLUTTERBYE_CHROMIUM", "FLUTTERBYE_BINARY"].contains(name))
        }
        environment["DATABASE_URL"] = databaseURL
        environment["SOLANA_RPC_URL"] = rpcURL.absoluteString
        environment["SOLANA_KEYPAIR_PATH"] = keyFile.path
        environment["SOLANA_PRIVATE_KEY"] = nil
        environment["FLUTTERBYE_MASTER_SEED"] = masterSeedHex
        environment.merge(settings) { $1 }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The URL of database `name` on the test cluster (FLUTTERBYE_TEST_DATABASE_URL names another database there).
    public static func testDatabaseURL(_ name: String) throws -> String {
        let database = try DatabaseConfiguration(url: TestDatabase.requiredURL())
        return "postgres://\(database.username)@\(database.host):\(database.port)/\(name)"
    }

    /// Starts `flutterbye worker` as worker `id` (or the launcher's command, its log named `id`).
    public func start(_ id: String) throws -> Worker {
        let log = directory.appendingPathComponent("\(id).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = [command] + arguments
        var environment = self.environment
        environment["FLUTTERBYE_WORKER_ID"] = id
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return Worker(process: process, log: log)
    }
}
