public import Logging
public import PostgresNIO

/// A table another session holds in ACCESS EXCLUSIVE mode, so that every statement on it waits: how the
/// statement-timeout tests get a statement that is never answered. The lock is held in a transaction on one of the
/// client's connections until `release()`, or until the body of `hold` returns.
public struct TableLock: Sendable {
    private let letGo: AsyncStream<Void>.Continuation

    /// Runs `body` while `table` (a plain or schema-qualified name) is locked by another session of `client`.
    public static func hold<Result: Sendable>(
        _ table: String, on client: PostgresClient, logger: Logger, _ body: (TableLock) async throws -> Result
    ) async throws -> Result {
        // LOCK TABLE takes no parameters: the name goes into the statement, so it may only be a name.
        guard !table.isEmpty, table.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }) else {
            throw TestSupportError("TableLock: '\(table)' is not a table name")
        }
        let locked = AsyncStream<Void>.makeStream()
        let release = AsyncStream<Void>.makeStream()
        return try await withThrowingTaskGroup(of: Void.self) { holder in
            holder.addTask {
                // Ends the wait below also when the lock could not be taken (the task's error then comes out of `next`).
                defer { locked.continuation.finish() }
                try await client.withTransaction(logger: logger) { connection in
                    try await connection.query("LOCK TABLE \(unescaped: table) IN ACCESS EXCLUSIVE MODE", logger: logger)
                    locked.continuation.yield()
                    for await _ in release.stream { break }
                }
            }
            var isLocked = false
            for await _ in locked.stream {
                isLocked = true
                break
            }
            guard isLocked else {
                try await holder.next()
                throw TestSupportError("TableLock: the lock on \(table) was not taken")
            }
            let lock = TableLock(letGo: release.continuation)
            do {
                let result = try await body(lock)
                lock.release()
                try await holder.waitForAll()
                return result
            } catch {
                lock.release()
                throw error
            }
        }
    }

    /// Lets go of the table: the statements waiting on it get their answers. Calling it again does nothing.
    public func release() { letGo.yield() }

    /// How `work` (a statement on the locked table) ends within `limit`. Unless it fails as the database being
    /// unavailable, the lock is released before the wait ends, so that the work gets its answer and the race can end.
    public func outcome(within limit: Duration = .seconds(20), _ work: @escaping @Sendable () async throws -> Void) async -> StatementOutcome {
        await withTaskGroup(of: StatementOutcome.self) { race in
            race.addTask { await StatementOutcome.of(work) }
            race.addTask {
                try? await Task.sleep(for: limit)
                return .stillWaiting(limit)
            }
            let first = await race.next() ?? .stillWaiting(limit)
            if first != .unavailable { release() }
            race.cancelAll()
            return first
        }
    }
}
