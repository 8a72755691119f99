import Crypto
import Foundation
public import Logging
public import PostgresNIO
import SolanaCore

/// Applies the schema script (`schema.sql`, idempotent) to the database in one transaction, under a
/// transaction-scoped advisory lock, so that several processes starting at once apply it one after another.
///
/// PostgresNIO runs one statement per query (extended protocol only), so the script is split with `SQLScript`
/// and its statements run one by one inside the transaction; a failing statement rolls everything back.
public struct SchemaMigrator: Sendable {
    /// The key of the transaction-scoped advisory lock every migrator takes: an arbitrary constant ("flby" in ASCII)
    /// that nothing else in the database may use.
    public static let advisoryLockKey: Int64 = 0x666C_6279

    /// The statements the migrator runs, in order.
    public let statements: [SQLScript.Statement]

    /// Prepares `script` (several SQL statements); throws `invalidSchema` when it cannot be split.
    public init(script: String) throws(StoreError) {
        self.statements = try SQLScript.statements(script)
    }

    /// The newest migration version the script records (its highest `INSERT INTO flutterbye.schema_migrations`
    /// value); 0 when it records none. A database is migrated when it has recorded this version.
    public var latestVersion: Int {
        var latest = 0
        for statement in statements where statement.text.contains("INSERT INTO flutterbye.schema_migrations") {
            guard let values = statement.text.range(of: "VALUES (") else { continue }
            let digits = statement.text[values.upperBound...].prefix { $0.isNumber }
            if let version = Int(digits) { latest = max(latest, version) }
        }
        return latest
    }

    /// The newest migration version the database has recorded; 0 when it has none (not migrated at all).
    public static func appliedVersion(on client: PostgresClient, logger: Logger) async throws(StoreError) -> Int {
        do {
            let rows = try await client.query(
                "SELECT coalesce(max(version), 0)::int8 FROM flutterbye.schema_migrations",
                logger: logger)
            for try await (version, ) in rows.decode((Int64,).self) { return Int(version) }
            return 0
        } catch {
            if let answer = StoreError.ServerAnswer(error), answer.sqlState == "42P01" || answer.sqlState == "3F000" { return 0 }
            throw Self.storeError(error, while: "reading the applied schema version")
        }
    }

    /// The SHA-256 (hex) of the script's statements: what `flutterbye.schema_script` records once it is applied.
    public var digest: String {
        var hasher = SHA256()
        for statement in statements {
            hasher.update(data: Array(statement.text.utf8))
            hasher.update(data: [0])
        }
        return Hex.encode(hasher.finalize())
    }

    /// The digest of the script applied last, nil when none is recorded (a database older than version 10, or empty).
    func recordedDigest(on connection: PostgresConnection, logger: Logger) async throws(StoreError) -> String? {
        do {
            guard try await Self.hasDigestTable(connection, logger: logger) else { return nil }
            let rows = try await Self.query("SELECT sha256 FROM flutterbye.schema_script", on: connection, logger: logger)
            for try await (sha256, ) in rows.decode((String,).self) { return sha256 }
            return nil
        } catch {
            throw Self.storeError(error, while: "reading the digest of the schema applied last")
        }
    }

    private static func hasDigestTable(_ connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await Self.query("SELECT to_regclass('flutterbye.schema_script') IS NOT NULL", on: connection, logger: logger)
        for try await (exists, ) in rows.decode((Bool,).self) { return exists }
        return false
    }

    /// Reads a schema script, such as the repository's `schema.sql`, from `path`.
    public static func schemaSQL(at path: String) throws(StoreError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw StoreError(
                .schemaUnreadable,
                "cannot read the schema file \(path) (\(error.localizedDescription)): check the path and its permissions")
        }
    }

    /// Connects to `database` with a single connection, applies the schema and closes the connection: what
    /// `flutterbye migrate` and the worker's start need. Fails at once with `databaseUnavailable` when the server
    /// cannot be reached or refuses the login.
    public func apply(to database: DatabaseConfiguration, logger: Logger, always: Bool = false) async throws(StoreError) {
        let connection = try await database.connect(logger: logger)
        do {
            try await apply(on: connection, logger: logger, always: always)
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }

    /// Applies every statement in one transaction on a connection leased from `client`'s pool. The client must
    /// be running; while the server cannot be reached the pool keeps trying, so this waits until it can or the
    /// task is cancelled. Throws `migrationFailed` naming the statement and the server's message, after rolling back.
    public func apply(on client: PostgresClient, logger: Logger, always: Bool = false) async throws(StoreError) {
        do {
            try await client.withConnection { connection in
                try await self.apply(on: connection, logger: logger, always: always)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.storeError(error, while: "leasing a connection to apply the schema")
        }
    }

    /// Takes the migration lock for the current transaction. While another process holds it, asks again every 200 ms
    /// rather than waiting in PostgreSQL, so that cancelling the task (a stop signal while the service starts) ends the
    /// wait: a statement waiting for a lock can only be interrupted by closing its connection, and PostgresNIO then
    /// never answers the transaction's ROLLBACK.
    static func takeMigrationLock(on connection: PostgresConnection, logger: Logger) async throws {
        var announced = false
        while true {
            var taken = false
            let rows = try await query("SELECT pg_try_advisory_xact_lock(\(advisoryLockKey))", on: connection, logger: logger)
            for try await (answer, ) in rows.decode((Bool,).self) { taken = answer }
            if taken { return }
            if !announced {
                logger.info("waiting for the schema migration lock: another process is applying the schema")
                announced = true
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Applies every statement in one transaction on `connection`, which must not be in a transaction already, and
    /// records the script's digest (`flutterbye.schema_script`). Unless `always`, a database whose recorded digest is
    /// this script's is left alone: applying it again changes nothing, and would take locks that wait for readers.
    public func apply(on connection: PostgresConnection, logger: Logger, always: Bool = false) async throws(StoreError) {
        if !always, try await recordedDigest(on: connection, logger: logger) == digest {
            logger.info("schema up to date", metadata: ["version": "\(latestVersion)"])
            return
        }
        do {
            try await Self.query("BEGIN", on: connection, logger: logger)
        } catch {
            throw Self.storeError(error, while: "beginning the schema transaction")
        }
        do throws(StoreError) {
            try await applyInTransaction(on: connection, logger: logger)
        } catch {
            // The server rolls back the transaction of a connection that closed; a ROLLBACK there would never be answered.
            if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: logger) }
            throw error
        }
        logger.info("schema applied", metadata: ["statements": "\(statements.count)"])
    }

    /// The migration lock, every statement, the digest and the commit, inside the transaction `apply` began.
    private func applyInTransaction(on connection: PostgresConnection, logger: Logger) async throws(StoreError) {
        do {
            try await Self.takeMigrationLock(on: connection, logger: logger)
        } catch {
            throw Self.storeError(error, while: "taking the schema migration lock")
        }
        for (index, statement) in statements.enumerated() {
            do {
                try await Self.query(PostgresQuery(unsafeSQL: statement.text), on: connection, logger: logger)
            } catch {
                throw Self.storeError(
                    error,
                    while: "running schema statement \(index + 1) of \(statements.count) (line \(statement.line): "
                        + "\(Self.excerpt(statement.text)))")
            }
        }
        do {
            // A script without the digest's table (an older one, or a test's) records nothing.
            if try await Self.hasDigestTable(connection, logger: logger) {
                try await Self.query(
                    """
                    INSERT INTO flutterbye.schema_script (singleton, sha256) VALUES (true, \(digest))
                    ON CONFLICT (singleton) DO UPDATE SET sha256 = excluded.sha256, applied_at = now()
                    """, on: connection, logger: logger)
            }
        } catch {
            throw Self.storeError(error, while: "recording the schema script's digest")
        }
        do {
            try await Self.query("COMMIT", on: connection, logger: logger)
        } catch {
            throw Self.storeError(error, while: "committing the schema")
        }
    }

    /// `connection.query`, refused once the connection has closed: PostgresNIO never answers a statement written to a
    /// closed connection (its fix, vapor/postgres-nio#487, was reverted), and the migration would wait for ever.
    @discardableResult
    static func query(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws -> PostgresRowSequence {
        guard !connection.isClosed else {
            throw StoreError(
                .databaseUnavailable,
                "the connection to the database closed (the server restarted, or ended the session); start again once it answers")
        }
        return try await connection.query(query, logger: logger)
    }

    /// The first code line of a statement, shortened, for error messages.
    static func excerpt(_ statement: String) -> String {
        let code =
            statement.split(separator: "\n").lazy.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.first {
                !$0.isEmpty && !$0.hasPrefix("--")
            } ?? ""
        return code.count > 100 ? String(code.prefix(100)) + "…" : code
    }

    /// The error for a failed connection attempt: the server is down or unreachable, or refused the login.
    static func connectionError(_ error: any Error, database: DatabaseConfiguration) -> StoreError {
        var reason = "\(error)"
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                reason = message + (error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
            } else {
                reason = "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
            }
        }
        return StoreError(
            .databaseUnavailable,
            "cannot connect to \(database): \(reason). Check that the server is running and reachable there and that "
                + "the user name, password and database in the database URL are right")
    }

    /// Turns a PostgresNIO error into a `StoreError` with what the server said and what to do.
    static func storeError(_ error: any Error, while doing: String) -> StoreError {
        if let error = error as? StoreError {
            return StoreError(error.code, "\(doing) failed: \(error.message); nothing was applied")
        }
        if let answer = StoreError.ServerAnswer(error) {
            if answer.meansUnavailable { return StoreError.unavailable(answer, while: doing) }
            return StoreError(
                .migrationFailed,
                "\(doing) failed: \(answer.summary). The migration was rolled back; fix the schema script and start again")
        }
        return StoreError.databaseUnavailable(error, while: doing)
            ?? StoreError(.migrationFailed, "\(doing) failed: \(error); nothing was applied")
    }
}

extension SchemaMigrator {
    /// The schema this build carries: the repository's `schema.sql`, embedded at build time.
    public static var bundledSchemaSQL: String { String(decoding: PackageResources.schema_sql, as: UTF8.self) }

    /// A migrator for the bundled schema.
    public static func bundled() throws(StoreError) -> SchemaMigrator { try SchemaMigrator(script: bundledSchemaSQL) }
}
