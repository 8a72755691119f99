import Foundation
import HTTPTypes
import Synchronization

/// Puts the API's database work behind what the probe (`StatusSampler`) last saw of PostgreSQL, so that a request
/// that needs the database is answered 503 with `Retry-After` promptly while PostgreSQL is unreachable, rather
/// than held until the connection pool gives up (15 s and more) or answered 500: at once while the probe says it is
/// down, as soon as the probe sees it go for a request under way, and after `timeout` for any request whose work
/// takes longer than that.
final class DatabaseGate: Sendable {
    private struct State {
        /// Why the database is unreachable, while it is.
        var outage: String?
        /// The requests under way, each with its interruption.
        var underWay: [UInt64: @Sendable () -> Void] = [:]
        var nextID: UInt64 = 0
    }

    /// The longest a request's database work may take.
    let timeout: Duration
    /// What `Retry-After` says, in seconds.
    let retryAfter: Int
    private let state = Mutex(State())

    init(timeout: Duration, retryAfter: Int) {
        self.timeout = timeout
        self.retryAfter = max(1, retryAfter)
    }

    /// Why the database is unreachable; nil while it answers.
    var outage: String? { state.withLock { $0.outage } }

    /// Records what the probe saw: nil when PostgreSQL answered, else why not. A new outage interrupts every request
    /// under way.
    func probed(_ problem: String?) {
        let interruptions: [@Sendable () -> Void] = state.withLock { state in
            let began = state.outage == nil && problem != nil
            state.outage = problem
            return began ? Array(state.underWay.values) : []
        }
        for interrupt in interruptions { interrupt() }
    }

    /// Runs `work` (database reads and writes) unless the database is known to be unreachable; a 503 `APIError`
    /// when it is, becomes so meanwhile, or the work takes longer than `timeout`.
    func run<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let outcome = FirstOutcome<Value>()
        let registration: (id: UInt64, outage: String?) = state.withLock { state in
            if let outage = state.outage { return (0, outage) }
            state.nextID += 1
            state.underWay[state.nextID] = { outcome.interrupt() }
            return (state.nextID, nil)
        }
        if registration.outage != nil { throw unavailable("the database cannot be reached now") }
        defer { _ = state.withLock { $0.underWay.removeValue(forKey: registration.id) } }
        switch await outcome.run(within: timeout, work) {
        case .finished(let result):
            return try result.get()
        case .timedOut:
            throw unavailable("the database did not answer within \(timeout)")
        case .interrupted:
            try Task.checkCancellation()
            throw unavailable("the database cannot be reached now")
        }
    }

    /// The answer while the database cannot serve a request (why, the log says: `StatusSampler` logs the probe's
    /// reason, which may name hosts).
    func unavailable(_ what: String) -> APIError {
        APIError(.serviceUnavailable, code: "unavailable", "\(what); try again in \(retryAfter) s", headers: [.retryAfter: "\(retryAfter)"])
    }
}
