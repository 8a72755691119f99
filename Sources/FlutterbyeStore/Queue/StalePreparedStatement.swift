import PostgresNIO

/// PostgreSQL's refusal of a prepared statement after a schema change altered the type of a column it returns ("cached
/// plan must not change result type", raised while the statement is planned anew, before it runs): the statement did
/// nothing, and the connection that prepared it keeps refusing it until the connection closes.
enum StalePreparedStatement {
    /// How many such connections one statement closes before its caller gets the error (the statements after it go on
    /// closing them, so a larger pool heals over a few statements).
    static let retries = 8

    /// Whether `error` is that refusal: SQLSTATE 0A000 from the routine that checks a cached plan (its name, unlike the
    /// message, is never translated).
    static func isRefusal(_ error: any Error) -> Bool {
        guard let info = (error as? PSQLError)?.serverInfo else { return false }
        return info[.sqlState] == "0A000" && info[.routine] == "RevalidateCachedQuery"
    }
}
