import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite(
    "SchemaMigrator against PostgreSQL",
    .enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"),
    .serialized)
struct SchemaMigratorTests {
    @Test func theRepositorySchemaAppliesTwiceAndRecordsVersion1Once() async throws {
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
            try await migrator.apply(on: client, logger: TestDatabase.logger)
            try await migrator.apply(on: client, logger: TestDatabase.logger)
            let rows = try await client.query(
                "SELECT version, description FROM flutterbye.schema_migrations WHERE version = 1", logger: TestDatabase.logger)
            var found: [(Int, String)] = []
            for try await row in rows.decode((Int, String).self) { found.append(row) }
            #expect(found.count == 1)
            #expect(found.first?.1 == "foundation")
        }
    }

    /// Every start applies the schema. An open read of an index table or view (a long analytics query) must not stall
    /// it: an ALTER TABLE or CREATE OR REPLACE VIEW, even one that changes nothing, waits for every reader, and every
    /// reader and writer after it waits behind it.
    @Test(.timeLimit(.minutes(1))) func reapplyingTheSchemaDoesNotWaitForReaders() async throws {
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
            try await migrator.apply(on: client, logger: TestDatabase.logger)
            try await client.withConnection { reader in
                _ = try await reader.query("BEGIN", logger: TestDatabase.logger)
                // The tables and the views analytics reads.
                let tables = [
                    "chain_transactions", "chain_flby_movements", "chain_wallet_activity", "chain_address_cursors", "token_jobs", "events",
                    "indexed_transactions", "flby_movements", "flby_supply", "wallet_activity", "program_logs", "program_events", "index_cursors",
                    "flby_balances",
                ]
                for table in tables {
                    _ = try await reader.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM flutterbye.\(table)"), logger: TestDatabase.logger)
                }
                let applied = await withTaskGroup(of: Bool.self) { group in
                    group.addTask { (try? await migrator.apply(on: client, logger: TestDatabase.logger)) != nil }
                    group.addTask {
                        try? await Task.sleep(for: .seconds(5))
                        return false
                    }
                    let first = await group.next() ?? false
                    // The reader lets go before the group is left, so that a waiting migration can finish.
                    _ = try? await reader.query("COMMIT", logger: TestDatabase.logger)
                    group.cancelAll()
                    return first
                }
                #expect(applied, "applying the schema again waited for a reader of the index or queue tables")
            }
        }
    }

    @Test func concurrentMigratorsWaitForEachOther() async throws {
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 { group.addTask { try await migrator.apply(on: client, logger: TestDatabase.logger) } }
                try await group.waitForAll()
            }
            let count = try await TestDatabase.count("SELECT count(*)::int8 FROM flutterbye.schema_migrations WHERE version = 1", on: client)
            #expect(count == 1)
        }
    }

    @Test func aFailingStatementRollsEverythingBackAndIsNamed() async throws {
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(
                script: """
                    -- a probe
                    CREATE TABLE IF NOT EXISTS public.rollback_probe (id int);
                    SELECT no_such_function();
                    """)
            do {
                try await migrator.apply(on: client, logger: TestDatabase.logger)
                Issue.record("the migration should fail")
            } catch let error as StoreError {
                #expect(error.code == .migrationFailed)
                #expect(error.message.contains("statement 2 of 2"), "\(error)")
                #expect(error.message.contains("line 3"), "\(error)")
                #expect(error.message.contains("no_such_function"), "\(error)")
                #expect(error.message.contains("rolled back"), "\(error)")
            }
            let count = try await TestDatabase.count(
                "SELECT count(*)::int8 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'rollback_probe'", on: client)
            #expect(count == 0, "the first statement was rolled back")
        }
    }

    @Test func dollarQuotedBodiesRunAsOneStatement() async throws {
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(
                script: """
                    CREATE OR REPLACE FUNCTION public.flutterbye_probe() RETURNS int LANGUAGE plpgsql AS $$
                    BEGIN
                        RETURN 7; -- a semicolon inside the body
                    END;
                    $$;
                    DO $body$ BEGIN PERFORM public.flutterbye_probe(); END $body$;
                    DROP FUNCTION public.flutterbye_probe();
                    """)
            #expect(migrator.statements.count == 3)
            try await migrator.apply(on: client, logger: TestDatabase.logger)
        }
    }

    @Test func applyingThroughItsOwnConnectionWorks() async throws {
        let url = try #require(TestDatabase.url, "FLUTTERBYE_TEST_DATABASE_URL is not set: run the tests with Tests/run")
        let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
        try await migrator.apply(to: try DatabaseConfiguration(url: url), logger: TestDatabase.logger)
    }

    /// PostgresNIO never answers a statement written to a connection that has closed: a migration whose connection the
    /// server ends (a restart, `pg_terminate_backend`) while it waits for another process's migration must fail as the
    /// database being unavailable, not wait for ever (a worker that hangs at its start, saying nothing).
    @Test func aMigrationWhoseConnectionTheServerEndsWhileItWaitsFailsAsUnavailable() async throws {
        let name = "flutterbye_migration_ended"
        let database = try await TestDatabase.freshDatabase(name)
        let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
        try await TestDatabase.withClient(database) { client in
            try await client.withConnection { holder in
                try await holder.query("SELECT pg_advisory_lock(\(SchemaMigrator.advisoryLockKey))", logger: TestDatabase.logger)
                // Unstructured: a migration that never answers must not hold the test for ever.
                let outcome = MigrationOutcome()
                Task {
                    do throws(StoreError) {
                        try await migrator.apply(to: database, logger: TestDatabase.logger)
                        await outcome.finish(nil)
                    } catch {
                        await outcome.finish(error)
                    }
                }
                let waiting: PostgresQuery = """
                    SELECT count(*)::int8 FROM pg_stat_activity
                    WHERE datname = \(name) AND pid <> pg_backend_pid() AND query LIKE '%pg_try_advisory_xact_lock%'
                    """
                var found = 0
                for _ in 0..<200 where found == 0 {
                    try await Task.sleep(for: .milliseconds(50))
                    found = try await TestDatabase.count(waiting, on: client)
                }
                try #require(found == 1, "the migration waits for the lock")
                try await client.query(
                    """
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = \(name) AND pid <> pg_backend_pid() AND query LIKE '%pg_try_advisory_xact_lock%'
                    """, logger: TestDatabase.logger)
                var finished = false
                for _ in 0..<100 where !finished {
                    try await Task.sleep(for: .milliseconds(100))
                    finished = await outcome.finished
                }
                try #require(finished, "the migration still waits 10 s after its connection ended")
                let error = try #require(await outcome.error, "the migration cannot succeed without its connection")
                #expect(error.code == .databaseUnavailable, "\(error)")
                try await holder.query("SELECT pg_advisory_unlock(\(SchemaMigrator.advisoryLockKey))", logger: TestDatabase.logger)
            }
        }
    }

    /// How a migration running in a task of its own ended, once it has.
    actor MigrationOutcome {
        private(set) var finished = false
        private(set) var error: StoreError?
        func finish(_ error: StoreError?) {
            self.error = error
            finished = true
        }
    }

    @Test func aMissingDatabaseIsReportedAsUnavailable() async throws {
        let url = try #require(TestDatabase.url, "FLUTTERBYE_TEST_DATABASE_URL is not set: run the tests with Tests/run")
        var configuration = try DatabaseConfiguration(url: url)
        configuration.database = "flutterbye_no_such_database"
        configuration.password = "hunter2"  // ignored by trust authentication; must not show in the error
        let migrator = try SchemaMigrator(script: "SELECT 1;")
        do {
            try await migrator.apply(to: configuration, logger: TestDatabase.logger)
            Issue.record("connecting to a database that does not exist should fail")
        } catch {
            #expect(error.code == .databaseUnavailable, "\(error)")
            #expect(error.message.contains("does not exist"), "\(error)")
            #expect(!error.description.contains("hunter2"), "\(error)")
        }
    }
}

@Suite struct UnreachableDatabaseTests {
    @Test(.timeLimit(.minutes(1))) func aClosedPortIsReportedAtOnceAsUnavailable() async throws {
        // Port 1 on the loopback: nothing listens there, so the connection is refused.
        let migrator = try SchemaMigrator(script: "SELECT 1;")
        do {
            try await migrator.apply(to: try DatabaseConfiguration(url: "postgres://postgres:hunter2@127.0.0.1:1/x"), logger: TestDatabase.logger)
            Issue.record("applying to a closed port should fail")
        } catch {
            #expect(error.code == .databaseUnavailable, "\(error)")
            #expect(error.message.contains("127.0.0.1:1"), "\(error)")
            #expect(!error.description.contains("hunter2"), "\(error)")
        }
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
            SELECT E'escaped \\' quote; still string', a$b$c FROM t WHERE x = $1;
            ;;
            /* only a comment */;
            -- trailing comment only
            """
        let statements = try SQLScript.statements(script)
        #expect(statements.count == 5, "\(statements)")
        #expect(statements.map(\.line) == [2, 3, 4, 5, 6])
        #expect(statements[0].text.hasSuffix("int)"))
        #expect(statements[1].text.hasSuffix("'it''s; fine', 1)"))
        #expect(statements[2].text.contains("RETURN 1; END; $$ LANGUAGE plpgsql"))
        #expect(statements[3].text.hasPrefix("DO $body$"))
        #expect(statements[4].text.hasSuffix("a$b$c FROM t WHERE x = $1"))
    }

    @Test func aPlainQuoteAfterAnIdentifierEndingInEIsNotAnEscapeString() throws {
        // `type'...'` is a typed literal, not E'...': the backslash does not escape the closing quote.
        let statements = try SQLScript.statements("SELECT type'a\\'; SELECT 2;")
        #expect(statements.map(\.text) == ["SELECT type'a\\'", "SELECT 2"])
    }

    @Test func unterminatedConstructsAreRefusedWithTheirLine() {
        let cases = [
            ("SELECT 'open", "line 1"), ("SELECT 1;\n/* open", "line 2"), ("SELECT 1;\n\nSELECT $$ open", "line 3"),
            ("SELECT \"open", "line 1"),
        ]
        for (script, line) in cases {
            do {
                _ = try SQLScript.statements(script)
                Issue.record("\(script) should be refused")
            } catch {
                #expect(error.code == .invalidSchema)
                #expect(error.message.contains(line), "\(error.message)")
            }
        }
    }

    @Test func theRepositorySchemaSplitsIntoStatements() throws {
        let statements = try SQLScript.statements(try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
        #expect(statements.count >= 3)
        #expect(statements.contains { $0.text.contains("CREATE OR REPLACE FUNCTION flutterbye.enqueue_token_job") })
        #expect(statements.first?.text.hasSuffix("CREATE SCHEMA IF NOT EXISTS flutterbye") == true)
    }

    @Test func aMissingSchemaFileIsReported() {
        #expect(throws: StoreError.self) { try SchemaMigrator.schemaSQL(at: "/nonexistent/schema.sql") }
    }
}
