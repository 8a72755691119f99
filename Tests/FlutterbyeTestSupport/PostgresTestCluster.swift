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

    public init() throws {
        // Short and under /tmp: the socket path must be short and reachable by the postgres OS user.
        directory = URL(fileURLWithPath: "/tmp/flutterbye-pg-\(UUID().uuidString.prefix(8))")
        let output = try Self.script("start", directory)
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("export FLUTTERBYE_TEST_DATABASE_URL=") }),
            let url = line.split(separator: "=", maxSplits: 1).last
        else { throw ClusterError(description: "postgres-cluster.sh start printed no URL: \(output)") }
        self.url = String(url)
    }

    deinit {
        _ = try? Self.script("stop", directory)
    }

    /// Stops the server (fast shutdown: connections are cut); the data stays.
    public func halt() throws { _ = try Self.script("halt", directory) }

    /// Starts the halted server again on the same port.
    public func resume() throws { _ = try Self.script("resume", directory) }

    private static func script(_ command: String, _ directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            Repository.root.appendingPathComponent("Tests/Support/postgres-cluster.sh").path, command, directory.path,
        ]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        let problems = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ClusterError(description: "postgres-cluster.sh \(command) failed: \(String(decoding: problems, as: UTF8.self))")
        }
        return String(decoding: text, as: UTF8.self)
    }
}
