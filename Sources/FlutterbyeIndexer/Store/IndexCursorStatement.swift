import PostgresNIO

/// The cursors' part of a write that went in by COPY: new followed addresses and cursor advances, in a statement far
/// smaller to plan than `IndexWriteStatement` (PostgreSQL plans a prepared statement afresh for its first executions
/// on each connection).
struct IndexCursorStatement: PostgresPreparedStatement {
    static let name = "flutterbye_index_cursors_v1"
    static let sql = """
        WITH \(IndexWriteStatement.cursorCTEs(discovered: 1, advanced: 3))
        SELECT (SELECT count(*) FROM discovered), (SELECT count(*) FROM advanced)
        """
    typealias Row = Int64

    var advances: [CursorAdvance]
    var discovered: [AddressCursor]

    /// Whether it has nothing to do (no advance, no address).
    var isEmpty: Bool { advances.isEmpty && discovered.isEmpty }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        IndexWriteStatement.appendCursorBindings(advances: advances, discovered: discovered, to: &bindings)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode((Int64, Int64).self).0 }
}
