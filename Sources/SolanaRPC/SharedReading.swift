import Synchronization

/// A value read from the network that every caller shares (the worker's jobs, the status API's requests): read again
/// only when it is older than a caller allows, and then once for all the callers waiting on it (a read under way is
/// joined, not repeated).
package final class SharedReading<Value: Sendable>: Sendable {
    /// The value and when its read ended.
    package struct Reading: Sendable {
        package var value: Value
        package var at: ContinuousClock.Instant
    }

    private struct State {
        var latest: Reading?
        var pending: Task<Value, any Error>?
    }

    private let state = Mutex(State())

    package init() {}

    /// The last value read, if any.
    package var latest: Reading? { state.withLock { $0.latest } }

    /// The value read no longer than `maxAge` ago, or a new reading by `read` (joining one under way).
    package func value(maxAge: Duration, read: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let now = ContinuousClock.now
        if let latest = state.withLock({ $0.latest }), now - latest.at <= maxAge { return latest.value }
        return try await refresh(read)
    }

    /// A new reading by `read`, joining one under way; the previous reading stays when it fails.
    @discardableResult
    package func refresh(_ read: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let task: Task<Value, any Error> = state.withLock { state in
            if let pending = state.pending { return pending }
            let task = Task { try await read() }
            state.pending = task
            return task
        }
        do {
            let value = try await task.value
            state.withLock { state in
                if state.pending == task { state.pending = nil }
                state.latest = Reading(value: value, at: .now)
            }
            return value
        } catch {
            state.withLock { if $0.pending == task { $0.pending = nil } }
            throw error
        }
    }
}
