public import FlutterbyeStore
import Foundation
public import Logging
public import PostgresNIO

/// The test database: the throwaway cluster that `Tests/run` starts and announces in
/// `FLUTTERBYE_TEST_DATABASE_URL`.
public enum TestDatabase {
    public static var url: String? {
        let value = ProcessInfo.processInfo.environment["FLUTTERBYE_TEST_DATABASE_URL"]
        return value?.isEmpty == false ? value : nil
    }

    /// Whether the database tests run. Without a database they are skipped on a developer's machine (plain
    /// `swift test`), but in CI (`CI` set) they run and fail, because there the cluster must exist.
    public static var testsEnabled: Bool { url != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    /// The database's URL, or an error that says how to get one.
    public static func requiredURL() throws -> String {
        guard let url else {
            throw TestSupportError(
                "FLUTTERBYE_TEST_DATABASE_URL is not set: run the tests with Tests/run, which starts a throwaway PostgreSQL")
        }
        return url
    }

    /// The repository's schema.sql.
    public static let schemaPath = Repository.root.appendingPathComponent("schema.sql").path

    /// Runs `body` with a running client of the test database; the client's `run()` is cancelled afterwards.
    public static func withClient(_ body: (PostgresClient) async throws -> Void) async throws {
        try await withClient(try DatabaseConfiguration(url: try requiredURL()), body)
    }

    /// Runs `body` with a running client of `configuration`'s database; the client's `run()` is cancelled afterwards.
    public static func withClient(_ configuration: DatabaseConfiguration, _ body: (PostgresClient) async throws -> Void) async throws {
        try await withClient(configuration.clientConfiguration, body)
    }

    /// Runs `body` with a running client of `configuration` (a pool's options of its own); the client's `run()` is
    /// cancelled afterwards.
    public static func withClient(_ configuration: PostgresClient.Configuration, _ body: (PostgresClient) async throws -> Void) async throws {
        let client = PostgresClient(configuration: configuration)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(client)
        }
    }

    /// Creates database `name` on `server` unless it exists (suites that need a database of their own: suites run in
    /// parallel, and each truncates or analyzes its tables).
    public static func createDatabase(_ name: String, on server: DatabaseConfiguration) async throws {
        try await withClient(server) { admin in
            do {
                try await admin.query("CREATE DATABASE \(unescaped: name)", logger: logger)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42P04" {
                // It exists already.
            }
        }
    }

    /// Runs `body` with a running client of database `name` of the test server (created unless it exists), the schema
    /// applied and `tables` (a comma-separated list, e.g. `flutterbye.token_jobs`) truncated, and that database's
    /// configuration.
    public static func withMigratedDatabase(
        _ name: String, truncating tables: String, _ body: (PostgresClient, DatabaseConfiguration) async throws -> Void
    ) async throws {
        let database = try await ownDatabase(name)
        try await withClient(database) { client in
            try await SchemaMigrator.bundled().apply(on: client, logger: logger)
            try await client.query("TRUNCATE \(unescaped: tables)", logger: logger)
            try await body(client, database)
        }
    }

    /// Database `name` of the test server, created unless it exists.
    public static func ownDatabase(_ name: String) async throws -> DatabaseConfiguration {
        var database = try DatabaseConfiguration(url: try requiredURL())
        try await createDatabase(name, on: database)
        database.database = name
        return database
    }

    /// Database `name` of the test server, dropped if it exists and created empty (`recreateDatabase`).
    public static func freshDatabase(_ name: String) async throws -> DatabaseConfiguration {
        var database = try DatabaseConfiguration(url: try requiredURL())
        try await recreateDatabase(name, on: database)
        database.database = name
        return database
    }

    /// Drops database `name` on `server` if it exists (closing its sessions) and creates it empty: for a test that needs
    /// a database without the schema.
    public static func recreateDatabase(_ name: String, on server: DatabaseConfiguration) async throws {
        try await withClient(server) { admin in
            try await admin.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger)
            try await admin.query("CREATE DATABASE \(unescaped: name)", logger: logger)
        }
    }

    /// Runs `body` with a running client of a pool of one connection to database `name` of the test server (created
    /// unless it exists): PostgreSQL's statistics then count every statement the pool runs, once `statistic` flushes
    /// them.
    public static func withOneConnection(database name: String, _ body: (PostgresClient) async throws -> Void) async throws {
        var configuration = try await ownDatabase(name).clientConfiguration
        configuration.options.maximumConnections = 1
        try await withClient(configuration, body)
    }

    /// The one integer `query` answers from PostgreSQL's statistics, after the pending statistics of the connection
    /// that asks are flushed (on a pool of one connection, those of every statement it ran).
    public static func statistic(_ query: PostgresQuery, on client: PostgresClient) async throws -> Int {
        try await client.query("SELECT pg_stat_force_next_flush()", logger: logger)
        return try await count(query, on: client)
    }

    /// The tuples of table `flutterbye.<table>` read so far, by sequential scans and through indexes (see `statistic`).
    public static func tableReads(_ table: String, on client: PostgresClient) async throws -> Int {
        try await statistic(
            """
            SELECT (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::int8 FROM pg_stat_user_tables
            WHERE schemaname = 'flutterbye' AND relname = \(table)
            """, on: client)
    }

    /// The one integer `query` answers.
    public static func count(_ query: PostgresQuery, on client: PostgresClient) async throws -> Int {
        let rows = try await client.query(query, logger: logger)
        for try await (count, ) in rows.decode((Int,).self) { return count }
        throw StoreError(.migrationFailed, "the count query returned no row")
    }

    public static let logger = Logger(label: "FlutterbyeTests")
}
