import Synchronization

/// Gives every statement of a `TokenJobQueue` a deadline, watched by one background loop rather than a timer per
/// statement (arming a timer costs a system call and a thread wake-up, more than a fast statement itself). A
/// statement past its deadline is cancelled and its caller answered at once, even if the statement never notices
/// the cancellation (a request a connection pool lost).
package final class StatementDeadlines: Sendable {
    /// Thrown to the caller of a statement that ran past its deadline.
    package struct Expired: Error {}

    private struct Watched {
        var deadline: ContinuousClock.Instant
        var expire: @Sendable () -> Void
    }

    private struct State {
        var watched: [UInt64: Watched] = [:]
        var nextID: UInt64 = 0
        var watching = false
    }

    private let state = Mutex(State())
    private let granularity: Duration

    /// `granularity`: how often the watcher looks; a statement is cancelled at most that long after its deadline.
    package init(granularity: Duration = .milliseconds(250)) {
        self.granularity = granularity
    }

    /// Runs `body` in a task of its own and returns its result, or throws `Expired` once `timeout` has passed
    /// (cancelling the task). Cancelling the caller cancels the task.
    package func run<Result: Sendable>(within timeout: Duration, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let outcome = OneShotOutcome<Swift.Result<Result, any Error>>()
        let task = Task {
            do { outcome.finish(.success(try await body())) } catch { outcome.finish(.failure(error)) }
        }
        let deadline = ContinuousClock.now + timeout
        let (id, startWatcher) = state.withLock { state in
            let id = state.nextID
            state.nextID &+= 1
            state.watched[id] = Watched(deadline: deadline) {
                outcome.finish(.failure(Expired()))
                task.cancel()
            }
            let startWatcher = !state.watching
            state.watching = true
            return (id, startWatcher)
        }
        if startWatcher { Task { await self.watch() } }
        let result = await withTaskCancellationHandler {
            await outcome.value()
        } onCancel: {
            task.cancel()
        }
        _ = state.withLock { $0.watched.removeValue(forKey: id) }
        return try result.get()
    }

    /// Expires what is past its deadline, every `granularity`, while anything is watched.
    private func watch() async {
        while true {
            try? await Task.sleep(for: granularity)
            let now = ContinuousClock.now
            let expired: [Watched]? = state.withLock { state in
                guard !state.watched.isEmpty else {
                    state.watching = false
                    return nil
                }
                let due = state.watched.filter { $0.value.deadline <= now }
                for id in due.keys { state.watched.removeValue(forKey: id) }
                return Array(due.values)
            }
            guard let expired else { return }
            for watched in expired { watched.expire() }
        }
    }
}
