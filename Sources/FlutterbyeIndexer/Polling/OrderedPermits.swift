import Synchronization

/// A fixed number of permits (the `getTransaction` requests in flight, shared by every poll), granted to the waiter
/// with the lowest order first, not to whoever asks first: a chunk of signatures takes its order when it is
/// scheduled (`nextOrder`), so the chunk due first is fetched first, even when a later one was quicker to ask. Its
/// write can then start while later chunks are fetched, instead of every chunk finishing together.
final class OrderedPermits: Sendable {
    private struct Waiter {
        let order: UInt64
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var orders: UInt64 = 0
        var ids: UInt64 = 0
        /// Sorted by order, then by arrival.
        var waiting: [Waiter] = []
    }

    private let state: Mutex<State>

    init(_ count: Int) {
        state = Mutex(State(available: max(1, count)))
    }

    /// Tasks waiting for a permit now.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Permits nobody holds now.
    var availableCount: Int { state.withLock { $0.available } }

    /// The order for the next scheduled chunk: later than every order handed out before.
    func nextOrder() -> UInt64 {
        state.withLock { state in
            state.orders += 1
            return state.orders
        }
    }

    /// Waits for a permit; the caller gives it back with `release`. Throws `CancellationError` (holding no permit)
    /// when the task is cancelled while it waits.
    func acquire(order: UInt64) async throws {
        let id = state.withLock { state in
            state.ids += 1
            return state.ids
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let granted: Bool? = state.withLock { state in
                    if Task.isCancelled { return nil }
                    if state.available > 0, state.waiting.isEmpty {
                        state.available -= 1
                        return true
                    }
                    let position = state.waiting.firstIndex { $0.order > order } ?? state.waiting.endIndex
                    state.waiting.insert(Waiter(order: order, id: id, continuation: continuation), at: position)
                    return false
                }
                switch granted {
                case true?: continuation.resume()
                case nil: continuation.resume(throwing: CancellationError())
                case false?: break
                }
            }
        } onCancel: {
            let cancelled: CheckedContinuation<Void, any Error>? = state.withLock { state in
                guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiting.remove(at: index).continuation
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// Gives a permit back: the waiter with the lowest order gets it.
    func release() {
        let next: CheckedContinuation<Void, any Error>? = state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiting.removeFirst().continuation
        }
        next?.resume()
    }
}
