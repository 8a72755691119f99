import ArgumentParser
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The PostgreSQL server the benchmark runs on: a throwaway cluster it started, or one named by `--database-url`.
enum BenchmarkServer: Sendable {
    case throwaway(ThrowawayCluster)
    case existing(DatabaseConfiguration)

    var configuration: DatabaseConfiguration {
        switch self {
        case .throwaway(let cluster): cluster.configuration
        case .existing(let configuration): configuration
        }
    }

    /// Runs `body` with a new, empty database `prefix_<random>` on the server. On an existing server it is dropped
    /// afterwards, also when `body` fails; a throwaway cluster goes away whole.
    func withDatabase<Result: Sendable>(
        _ prefix: String, logger: Logger, _ body: (DatabaseConfiguration) async throws -> Result
    ) async throws -> Result {
        var database = configuration
        database.database = "\(prefix)_\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let name = database.database
        try await BenchmarkDatabases.withAdmin(configuration, logger: logger) { admin in
            _ = try await admin.query("CREATE DATABASE \(unescaped: name)", logger: logger)
        }
        func drop() async throws {
            guard case .existing(let server) = self else { return }
            try await BenchmarkDatabases.withAdmin(server, logger: logger) { admin in
                _ = try await admin.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger)
            }
        }
        do {
            let result = try await body(database)
            try await drop()
            return result
        } catch {
            try? await drop()
            throw error
        }
    }

    var kind: String {
        switch self {
        case .throwaway: "throwaway cluster on loopback"
        case .existing(let configuration): "existing server \(configuration)"
        }
    }

    /// The server named by `--database-url`, or else a throwaway cluster started now.
    static func start(databaseURL: String?, root: URL) throws -> BenchmarkServer {
        guard let databaseURL else { return .throwaway(try ThrowawayCluster.start(root: root)) }
        do { return .existing(try DatabaseConfiguration(url: databaseURL)) } catch { throw ValidationError(error.message) }
    }

    /// Stops a throwaway cluster (once; later calls do nothing). An existing server is left alone.
    func stop() {
        if case .throwaway(let cluster) = self { cluster.stop() }
    }
}

/// A PostgreSQL cluster started by `Tests/Support/postgres-cluster.sh start DIR` in a new directory under /tmp, and
/// stopped (and removed) by `postgres-cluster.sh stop DIR`.
final class ThrowawayCluster: Sendable {
    let configuration: DatabaseConfiguration
    private let script: String
    private let directory: String
    private let stopped = Mutex(false)

    private init(configuration: DatabaseConfiguration, script: String, directory: String) {
        self.configuration = configuration
        self.script = script
        self.directory = directory
    }

    /// Starts a cluster; its stderr (progress, and the Debian install if PostgreSQL is missing) goes to ours.
    static func start(root: URL) throws -> ThrowawayCluster {
        let script = root.appendingPathComponent("Tests/Support/postgres-cluster.sh").path
        var template = Array("/tmp/flutterbye-bench.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw BenchmarkFailure("cannot create a directory under /tmp for the PostgreSQL cluster (errno \(errno))")
        }
        let directory = String(cString: made)
        let started: (status: Int32, output: String)
        do { started = try spawn(script, ["start", directory]) } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        // Parses `export FLUTTERBYE_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/flutterbye_test`.
        let prefix = "export FLUTTERBYE_TEST_DATABASE_URL="
        let url = started.output.split(separator: "\n").first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        guard started.status == 0, let url, let configuration = try? DatabaseConfiguration(url: url) else {
            stopCluster(script: script, directory: directory)
            throw BenchmarkFailure("postgres-cluster.sh start failed (exit \(started.status)); its messages are above")
        }
        return ThrowawayCluster(configuration: configuration, script: script, directory: directory)
    }

    /// Stops the server and removes its directory. Only the first call does it; a concurrent call (Ctrl-C while the
    /// run fails on its own) waits until it is done.
    func stop() {
        stopped.withLock { stopped in
            guard !stopped else { return }
            Self.stopCluster(script: script, directory: directory)
            stopped = true
        }
    }

    /// `postgres-cluster.sh stop DIR`: stops the server of DIR and removes DIR; never fails.
    private static func stopCluster(script: String, directory: String) {
        do {
            _ = try spawn(script, ["stop", directory])
        } catch {
            FileHandle.standardError.write(
                Data("could not stop the cluster in \(directory): \(error); stop it with \(script) stop \(directory)\n".utf8))
        }
    }

    /// Runs `executable` and returns its exit status and standard output; its standard error is ours, its standard
    /// input /dev/null. Not Foundation's `Process`: on Linux its `waitUntilExit()` waits until every process that
    /// inherited its internal termination socket is gone (swift-corelibs-foundation #4795). `start` now starts the
    /// server without inherited descriptors, but posix_spawn and waitpid wait for the script alone whatever it leaves
    /// running.
    private static func spawn(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw BenchmarkFailure("cannot create a pipe to run \(executable) (errno \(errno))") }
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let argv = ([executable] + arguments).map { strdup($0) }
        defer { for argument in argv { free(argument) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv + [nil], environ)
        close(fds[1])
        guard spawned == 0 else {
            close(fds[0])
            throw BenchmarkFailure("cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        let output = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS; a signal death counts as 128 + the signal, as in a shell.
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitStatus, String(decoding: output, as: UTF8.self))
    }
}

extension DatabaseConfiguration {
    /// A libpq-style URL (`postgres://user:password@host:port/database?sslmode=...`), as asyncpg and the worker's
    /// DATABASE_URL accept it. It may hold a password: pass it in an environment variable, never in argv or output.
    var connectionURL: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.user = username
        components.password = password
        components.host = host.contains(":") ? "[\(host)]" : host
        components.port = port
        components.path = "/" + database
        if tls != .disable { components.queryItems = [URLQueryItem(name: "sslmode", value: tls.rawValue)] }
        return components.string ?? "postgres://\(username)@\(host):\(port)/\(database)"
    }
}
