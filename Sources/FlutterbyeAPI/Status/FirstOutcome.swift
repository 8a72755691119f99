import FlutterbyeStore

/// The first of three endings of a piece of work: its own outcome, its time limit passing, or an interruption from
/// outside (`interrupt()`). The work runs in a task of its own, cancelled once the race is decided otherwise, and
/// the caller is answered at once even if the work never notices the cancellation (a request waiting in a
/// connection pool whose server is gone).
final class FirstOutcome<Value: Sendable>: Sendable {
    /// How the race ended.
    enum Ending: Sendable {
        case finished(Result<Value, any Error>)
        case timedOut
        case interrupted
    }

    private let outcome = OneShotOutcome<Ending>()

    /// Ends the race as interrupted, unless it has ended.
    func interrupt() { finish(.interrupted) }

    /// Runs `work` with `limit`; returns the first ending.
    func run(within limit: Duration, _ work: @escaping @Sendable () async throws -> Value) async -> Ending {
        let worker = Task {
            do { finish(.finished(.success(try await work()))) } catch { finish(.finished(.failure(error))) }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            if !Task.isCancelled { finish(.timedOut) }
        }
        let ending = await withTaskCancellationHandler {
            await outcome.value()
        } onCancel: {
            finish(.interrupted)
        }
        timer.cancel()
        if case .finished = ending {} else { worker.cancel() }
        return ending
    }

    private func finish(_ ending: Ending) { outcome.finish(ending) }
}
