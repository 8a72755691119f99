import Foundation
public import Logging
public import PostgresNIO

/// Applies the schema (`schema.sql`, idempotent) to the database in one transaction, holding an advisory lock
/// so that several processes starting at once apply it one after another rather than racing.
public struct SchemaMigrator: Sendable {
    /// The advisory lock key every migrator takes (an arbitrary constant: "flby" in ASCII).
    public static let advisoryLockKey: Int64 = 0x666C_6279

    private let statements: [String]

    /// Prepares `script` (several SQL statements); throws `invalidSchema` when it cannot be split.
    public init(script: String) throws(StoreError) {
        self.statements = try SQLScript.statements(script)
    }

    /// Reads the schema script from `path`.
    public static func schemaSQL(at path: String) throws(StoreError) -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw StoreError(.schemaUnreadable, "cannot read the schema file \(path): \(error.localizedDescription)")
        }
    }

    /// Applies every statement in one transaction; a failing statement rolls everything back and is reported
    /// with its number and the server's message.
    public func apply(on client: PostgresClient, logger: Logger) async throws {
        let statements = self.statements
        do {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.advisoryLockKey))", logger: logger)
                for (index, statement) in statements.enumerated() {
                    do {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    } catch let error as PSQLError {
                        let reason = error.serverInfo?[.message] ?? "\(error.code)"
                        throw StoreError(.migrationFailed, "schema statement \(index + 1) failed: \(reason) — in: \(statement.prefix(120))")
                    }
                }
            }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
        logger.info("schema applied", metadata: ["statements": "\(statements.count)"])
    }
}
