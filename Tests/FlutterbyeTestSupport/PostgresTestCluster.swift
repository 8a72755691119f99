import Foundation

/// A PostgreSQL cluster of one test's own (`Tests/Support/postgres-cluster.sh`), for tests that stop and restart the
/// server, which the shared test cluster must never be. Removed when the value is released.
public final class PostgresTestCluster: @unchecked Sendable {
    /// `postgres-cluster.sh` failed; its standard error says why.
    public struct ClusterError: Error, CustomStringConvertible {
        public let description: String
    }

    /// postgres://postgres@127.0.0.1:PORT/flutterbye_test
    public let url: String
    private let directory: URL

    private init(url: String, directory: URL) {
        self.url = url
        self.directory = directory
    }

    /// Starts a new cluster (initdb and the server: seconds, waited for off Swift's cooperative pool).
    public static func start() async throws -> PostgresTestCluster {
        // Short and under /tmp: the socket path must be short and reachable by the postgres OS user.
        let directory = URL(fileURLWithPath: "/tmp/flutterbye-pg-\(UUID().uuidString.prefix(8))")
        let output = try await script("start", directory)
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("export FLUTTERBYE_TEST_DATABASE_URL=") }),
            let url = line.split(separator: "=", maxSplits: 1).last
        else {
            _ = try? await script("stop", directory)
            throw ClusterError(description: "postgres-cluster.sh start printed no URL: \(output)")
        }
        return PostgresTestCluster(url: String(url), directory: directory)
    }

    deinit {
        // Waited for here, from code that cannot suspend: the cluster must be gone before the test process ends.
        let process = Self.process("stop", directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
        process.waitUntilExit()
    }

    /// Stops the server (fast shutdown: connections are cut); the data stays.
    public func halt() async throws { _ = try await Self.script("halt", directory) }

    /// Starts the halted server again on the same port.
    public func resume() async throws { _ = try await Self.script("resume", directory) }

    private static func process(_ command: String, _ directory: URL) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            Repository.root.appendingPathComponent("Tests/Support/postgres-cluster.sh").path, command, directory.path,
        ]
        process.standardInput = FileHandle.nullDevice
        return process
    }

    /// Runs `postgres-cluster.sh command directory` to its end on a thread of its own (`ChildProcess`); what it
    /// printed, standard error included.
    private static func script(_ command: String, _ directory: URL) async throws -> String {
        let (status, output) = try await ChildProcess.run(process(command, directory))
        let text = String(decoding: output, as: UTF8.self)
        guard status == 0 else { throw ClusterError(description: "postgres-cluster.sh \(command) failed: \(text)") }
        return text
    }
}
