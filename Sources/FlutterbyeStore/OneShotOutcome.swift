import Synchronization

/// A result set once and awaited once: the first `finish` wins and wakes the waiter; later ones are ignored. The
/// cell under every race between a piece of work and its deadline (`StatementDeadlines`, the status API's
/// `FirstOutcome`), so that a caller is answered at once even if the work never ends.
package final class OneShotOutcome<Value: Sendable>: Sendable {
    private struct State {
        var value: Value?
        var waiter: CheckedContinuation<Value, Never>?
    }

    private let state = Mutex(State())

    package init() {}

    /// Sets the outcome unless it is set already, and wakes the waiter.
    package func finish(_ value: Value) {
        let waiter: CheckedContinuation<Value, Never>? = state.withLock { state in
            guard state.value == nil else { return nil }
            state.value = value
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: value)
    }

    /// Waits for the outcome (returns at once when it is set).
    package func value() async -> Value {
        await withCheckedContinuation { continuation in
            let ready: Value? = state.withLock { state in
                if let value = state.value { return value }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
