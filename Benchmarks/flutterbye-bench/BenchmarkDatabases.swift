import FlutterbyeStore
import Logging
import PostgresNIO

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
