import PostgresNIO
import Synchronization

/// Pooled connections the queue keeps leased between its statements while it is busy: PostgresNIO's pool arms an idle
/// timer each time a connection goes back, and its own minimum of open connections traps when the database goes away.
/// A kept connection unused for `linger` goes back to the pool; one whose statement failed goes back at once.
final class KeptConnections: Sendable {
    /// A connection lent to one statement; give it back with `giveBack`.
    struct Loan: Sendable {
        fileprivate let id: UInt64
        let connection: PostgresConnection
    }

    private struct Kept {
        var id: UInt64
        var connection: PostgresConnection
        var idleSince: ContinuousClock.Instant
        var release: CheckedContinuation<Void, Never>
    }

    private struct State {
        var idle: [Kept] = []
        /// Lent to a statement, by id: their release, to resume when they go back to the pool.
        var lent: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var leasing = 0
        var nextID: UInt64 = 0
        var watching = false

        var count: Int { idle.count + lent.count + leasing }
    }

    private let state = Mutex(State())
    private let client: PostgresClient
    private let limit: Int
    private let linger: Duration

    /// Keeps at most `limit` connections of `client` (0: none, every statement leases from the pool).
    init(client: PostgresClient, limit: Int, linger: Duration = .seconds(1)) {
        self.client = client
        self.limit = max(0, limit)
        self.linger = linger
    }

    /// Connections kept and idle now (for tests).
    var idleCount: Int { state.withLock { $0.idle.count } }

    /// A kept idle connection, or nil, and then the caller leases from the pool as usual; while fewer than `limit` are
    /// kept, a nil also starts keeping one more for the statements that follow (a statement never waits for that).
    func borrow() -> Loan? {
        var closed: [Kept] = []
        let (loan, leaseOne): (Loan?, Bool) = state.withLock { state in
            while let kept = state.idle.popLast() {
                // A connection the server closed (a restart, pg_terminate_backend) goes back to the pool, which drops it.
                guard !kept.connection.isClosed else {
                    closed.append(kept)
                    continue
                }
                state.lent[kept.id] = kept.release
                return (Loan(id: kept.id, connection: kept.connection), false)
            }
            guard state.count < limit else { return (nil, false) }
            state.leasing += 1
            return (nil, true)
        }
        for kept in closed { kept.release.resume() }
        if leaseOne { Task { await self.keepOne() } }
        return loan
    }

    /// Takes back a lent connection: kept for the next statement when `healthy`, else given back to the pool.
    func giveBack(_ loan: Loan, healthy: Bool) {
        let release: CheckedContinuation<Void, Never>?
        let startWatcher: Bool
        (release, startWatcher) = state.withLock { state in
            guard let release = state.lent.removeValue(forKey: loan.id) else { return (nil, false) }
            guard healthy else { return (release, false) }
            state.idle.append(Kept(id: loan.id, connection: loan.connection, idleSince: .now, release: release))
            let start = !state.watching
            state.watching = true
            return (nil, start)
        }
        release?.resume()
        if startWatcher { Task { await self.watch() } }
    }

    /// Runs `body` on a kept connection, or with nil (then `body` leases from the pool) when none is free. The
    /// connection is kept for the next statement when `body` succeeds or the server answered its statement with an
    /// error; after any other failure (the connection broke, the statement was cancelled) it goes back to the pool.
    func run<Result: Sendable>(_ body: (PostgresConnection?) async throws -> Result) async throws -> Result {
        guard let loan = borrow() else { return try await body(nil) }
        do {
            let result = try await body(loan.connection)
            giveBack(loan, healthy: true)
            return result
        } catch {
            giveBack(loan, healthy: (error as? PSQLError)?.serverInfo != nil && !Task.isCancelled)
            throw error
        }
    }

    /// Leases one connection from the pool and holds it (idle, ready to lend) until it is given back to the pool.
    private func keepOne() async {
        do {
            try await client.withConnection { connection in
                await withCheckedContinuation { (release: CheckedContinuation<Void, Never>) in
                    let (id, startWatcher): (UInt64, Bool) = state.withLock { state in
                        state.leasing -= 1
                        let id = state.nextID
                        state.nextID &+= 1
                        state.idle.append(Kept(id: id, connection: connection, idleSince: .now, release: release))
                        let start = !state.watching
                        state.watching = true
                        return (id, start)
                    }
                    // A statement written to a closed connection is never answered (PostgresNIO drops the write), so
                    // a connection is forgotten as soon as it closes, also while lent: its statement's deadline
                    // answers that caller.
                    connection.closeFuture.whenComplete { _ in self.forget(id) }
                    if startWatcher { Task { await self.watch() } }
                }
            }
        } catch {
            // No connection now (the database is away, or the pool is shutting down): statements lease from the
            // pool themselves, and a later borrow tries again.
            state.withLock { $0.leasing -= 1 }
        }
    }

    /// Gives a closed connection back to the pool (which drops it), whether it is idle or lent.
    private func forget(_ id: UInt64) {
        let release: CheckedContinuation<Void, Never>? = state.withLock { state in
            if let index = state.idle.firstIndex(where: { $0.id == id }) { return state.idle.remove(at: index).release }
            return state.lent.removeValue(forKey: id)
        }
        release?.resume()
    }

    /// Gives back to the pool every connection idle for `linger`, while any is kept.
    private func watch() async {
        while true {
            try? await Task.sleep(for: linger / 2)
            let now = ContinuousClock.now
            let (stale, done): ([Kept], Bool) = state.withLock { state in
                let stale = state.idle.filter { now - $0.idleSince >= linger }
                state.idle.removeAll { now - $0.idleSince >= linger }
                let done = state.idle.isEmpty
                if done { state.watching = false }
                return (stale, done)
            }
            for kept in stale { kept.release.resume() }
            if done { return }
        }
    }
}
