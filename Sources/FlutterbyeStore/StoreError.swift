import PostgresNIO
import _ConnectionPoolModule

/// The error FlutterbyeStore throws: a `code` to switch on and a `message` that tells an operator what is wrong
/// and what to do about it. Messages never contain a database password.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure a `StoreError` is; a struct with static members (as in PostgresNIO) so that codes
    /// can be added without breaking exhaustive switches.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The database URL (`DATABASE_URL` or another connection string) is malformed.
        public static let invalidDatabaseURL = Code("invalidDatabaseURL")
        /// The schema file cannot be read.
        public static let schemaUnreadable = Code("schemaUnreadable")
        /// The schema script is malformed (an unterminated quote, comment or dollar-quoted body).
        public static let invalidSchema = Code("invalidSchema")
        /// A schema statement failed on the server; the whole migration was rolled back.
        public static let migrationFailed = Code("migrationFailed")
        /// The database cannot be reached or the connection broke.
        public static let databaseUnavailable = Code("databaseUnavailable")
        /// A token job request was refused: a field is invalid (`field` names it). Nothing was written.
        public static let invalidJob = Code("invalidJob")
        /// An idempotency key was reused with different job parameters. Nothing was written.
        public static let idempotencyConflict = Code("idempotencyConflict")
        /// The job does not exist.
        public static let jobNotFound = Code("jobNotFound")
        /// The job is not in a state that allows the operation (e.g. retrying a job that has not failed).
        public static let invalidJobState = Code("invalidJobState")
        /// Events after an event log cursor have been pruned: a reader there would miss them, and must start again.
        public static let cursorExpired = Code("cursorExpired")
        /// A database query failed for another reason.
        public static let queryFailed = Code("queryFailed")

        public var description: String { name }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong and what to do, for an operator.
    public let message: String
    /// The input field at fault, for `invalidJob`.
    public let field: String?
    /// The server's SQLSTATE when the server refused a statement.
    public let sqlState: String?

    public init(_ code: Code, _ message: String, field: String? = nil, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.sqlState = sqlState
    }

    /// Whether the server refused the statement because of a deadlock or a serialization failure with a concurrent
    /// transaction: running the same statement again resolves it.
    public var isConcurrencyConflict: Bool { sqlState == "40P01" || sqlState == "40001" }

    public var description: String { "\(code): \(message)" }
}

extension StoreError {
    /// What the PostgreSQL server said about a failed statement: its message, SQLSTATE, and a one-line account
    /// with detail and hint for an operator.
    struct ServerAnswer {
        let message: String
        let sqlState: String?
        let summary: String

        /// The server's answer inside `error`; nil when the error did not come from the server.
        init?(_ error: any Error) {
            guard let info = (error as? PSQLError)?.serverInfo, let message = info[.message] else { return nil }
            self.message = message
            self.sqlState = info[.sqlState]
            let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            let detail = info[.detail].map { "; detail: \($0)" } ?? ""
            let hint = info[.hint].map { "; hint: \($0)" } ?? ""
            self.summary = message + state + detail + hint
        }

        /// The server answered that it is going away or cannot serve now, not that the statement was wrong: a
        /// connection exception (class 08), an administrator's or a crash's shutdown, or "cannot connect now"
        /// (57P01-57P03, what every open connection gets when PostgreSQL stops or restarts), or too many connections
        /// (53300). Worth trying again shortly.
        var meansUnavailable: Bool {
            guard let sqlState else { return false }
            return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(sqlState)
        }
    }

    /// The error for a statement that failed: `queryFailed` with the server's answer, or `databaseUnavailable` when
    /// the server could not be reached or the connection broke. For the package's other modules (the indexer).
    public static func statementFailed(_ error: any Error, while doing: String) -> StoreError {
        if let error = error as? StoreError { return error }
        if let answer = ServerAnswer(error) {
            if answer.meansUnavailable { return unavailable(answer, while: doing) }
            return StoreError(.queryFailed, "\(doing) failed: \(answer.summary)", sqlState: answer.sqlState)
        }
        return databaseUnavailable(error, while: doing) ?? StoreError(.queryFailed, "\(doing) failed: \(error)")
    }

    /// A PostgresNIO failure without a server answer: the server could not be reached or the connection broke, or
    /// the connection pool refuses requests because it has failed to connect for a while (its circuit breaker, open
    /// until a connection attempt succeeds). Nil for an error that is not PostgresNIO's.
    /// The error for a server answer that `meansUnavailable`.
    /// A statement abandoned after `timeout` without an answer (`StatementDeadlines`), as the database being unavailable:
    /// `effect` says whether the abandoned statement may still take effect, `tables` whose locks to look for.
    package static func unanswered(_ doing: String, within timeout: Duration, effect: String?, tables: String) -> StoreError {
        StoreError(
            .databaseUnavailable,
            "\(doing) failed: PostgreSQL did not answer within \(timeout), so the statement was abandoned\(effect.map { " (\($0))" } ?? ""). "
                + "Check that the database is up and reachable and that nothing holds long locks on \(tables)")
    }

    static func unavailable(_ answer: ServerAnswer, while doing: String) -> StoreError {
        StoreError(
            .databaseUnavailable,
            "\(doing) failed: the database is going away or cannot serve now (\(answer.summary)); it is tried again, check that the database server is running",
            sqlState: answer.sqlState)
    }

    static func databaseUnavailable(_ error: any Error, while doing: String) -> StoreError? {
        if let error = error as? ConnectionPoolError {
            return StoreError(
                .databaseUnavailable,
                "\(doing) failed: the connection pool cannot connect to the database (\(error)). Check that the database server is running and reachable at the configured URL"
            )
        }
        guard let error = error as? PSQLError else { return nil }
        let underlying = error.underlying.map { ": \($0)" } ?? ""
        return StoreError(
            .databaseUnavailable,
            "\(doing) failed: \(error.code)\(underlying). Check that the database server is running and reachable at the configured URL")
    }
}
