import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import Testing

/// The test database from `Tests/run` (a throwaway cluster). Without it the suite is skipped locally and fails
/// in CI, where the cluster must exist.
enum TestDatabase {
    static var url: String? {
        let value = ProcessInfo.processInfo.environment["FLUTTERBYE_TEST_DATABASE_URL"]
        return value?.isEmpty == false ? value : nil
    }

    static var isAvailable: Bool { url != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    static let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("schema.sql").path

    /// Runs `body` with a connected client, shutting the client down afterwards.
    static func withClient(_ body: @Sendable (PostgresClient) async throws -> Void) async throws {
        let url = try #require(url, "FLUTTERBYE_TEST_DATABASE_URL is not set: run the tests with Tests/run")
        let client = PostgresClient(configuration: try DatabaseConfiguration(url: url).clientConfiguration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(client)
        }
    }
}

@Suite(.enabled(if: TestDatabase.isAvailable, "needs the throwaway PostgreSQL cluster: run Tests/run"), .serialized)
struct SchemaMigratorTests {
    let logger = Logger(label: "test")

    @Test func schemaAppliesTwiceAndRecordsItsVersionOnce() async throws {
        let logger = self.logger
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
            try await migrator.apply(on: client, logger: logger)
            try await migrator.apply(on: client, logger: logger)
            let rows = try await client.query("SELECT version, description FROM flutterbye.schema_migrations WHERE version = 1", logger: logger)
            var count = 0
            for try await (version, description) in rows.decode((Int, String).self) {
                #expect(version == 1)
                #expect(description.contains("foundation"))
                count += 1
            }
            #expect(count == 1)
        }
    }

    @Test func concurrentMigratorsDoNotRace() async throws {
        let logger = self.logger
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 { group.addTask { try await migrator.apply(on: client, logger: logger) } }
                try await group.waitForAll()
            }
        }
    }

    @Test func aFailingStatementRollsBackAndIsNamed() async throws {
        let logger = self.logger
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(script: """
                CREATE TABLE IF NOT EXISTS flutterbye.rollback_probe (id int);
                SELECT no_such_function();
                """)
            do {
                try await migrator.apply(on: client, logger: logger)
                Issue.record("the migration should fail")
            } catch let error as StoreError {
                #expect(error.code == .migrationFailed)
                #expect(error.message.contains("statement 2"))
                #expect(error.message.contains("no_such_function"))
            }
            let rows = try await client.query("SELECT to_regclass('flutterbye.rollback_probe')::text", logger: logger)
            for try await (name,) in rows.decode((String?,).self) { #expect(name == nil, "the first statement was rolled back") }
        }
    }
}

@Suite struct DatabaseConfigurationTests {
    @Test func parsesAFullURL() throws {
        let configuration = try DatabaseConfiguration(url: "postgres://worker:s3cr%40t@db.internal:6543/flutterbye?sslmode=require")
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "worker")
        #expect(configuration.password == "s3cr@t")
        #expect(configuration.database == "flutterbye")
        #expect(configuration.requireTLS)
        #expect(!configuration.description.contains("s3cr"))
        #expect(configuration.description.contains("***"))
    }

    @Test func defaultsPortAndTLS() throws {
        let configuration = try DatabaseConfiguration(url: "postgresql://postgres@127.0.0.1/test")
        #expect(configuration.port == 5432)
        #expect(!configuration.requireTLS)
        #expect(configuration.password == nil)
    }

    @Test func listsEveryProblemAtOnceWithoutThePassword() {
        do {
            _ = try DatabaseConfiguration(url: "mysql://:hunter2@/?sslmode=sometimes")
            Issue.record("should be refused")
        } catch {
            #expect(error.code == .invalidDatabaseURL)
            for part in ["scheme", "host", "user name", "database name", "sslmode"] { #expect(error.message.contains(part), "\(part)") }
            #expect(!error.description.contains("hunter2"))
        }
        #expect(throws: StoreError.self) { try DatabaseConfiguration(url: "postgres://u@h:99999/db") }
        #expect(throws: StoreError.self) { try DatabaseConfiguration(url: "not a url at all ::") }
    }
}

@Suite struct SQLScriptTests {
    @Test func splitsRespectingQuotesCommentsAndDollarBodies() throws {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (t text DEFAULT 'x;y', "odd;name" int);
            /* block; /* nested; */ comment */ INSERT INTO a VALUES ('it''s; fine', 1);
            CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;
            DO $body$ BEGIN PERFORM 1; END $body$;
            SELECT E'escaped \\' quote; still string';
            ;;
            -- trailing comment only
            """
        let statements = try SQLScript.statements(script)
        #expect(statements.count == 5, "\(statements)")
        #expect(statements[0].hasSuffix("int)"))
        #expect(statements[2].contains("RETURN 1; END; $$ LANGUAGE plpgsql"))
        #expect(statements[3].hasPrefix("DO $body$"))
        #expect(statements[4].contains("still string"))
    }

    @Test func unterminatedConstructsAreRefusedWithTheLine() {
        for (script, what) in [("SELECT 'open", "quote"), ("SELECT 1;\n/* open", "comment"), ("SELECT $$ open", "dollar")] {
            do {
                _ = try SQLScript.statements(script)
                Issue.record("\(what) should be refused")
            } catch {
                #expect(error.code == .invalidSchema)
                #expect(error.message.contains("line"))
            }
        }
    }

    @Test func theRepositorySchemaSplits() throws {
        let statements = try SQLScript.statements(try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
        #expect(statements.count == 3)
    }
}
