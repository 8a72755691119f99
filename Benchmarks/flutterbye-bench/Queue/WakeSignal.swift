import Synchronization

/// Wakes the latency run's claim loop: a notification, or a freed slot. A signal with nobody waiting is kept for the
/// next wait, so none is lost.
final class WakeSignal: Sendable {
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    init() {}

    func signal() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock {
            if let waiter = $0.waiter {
                $0.waiter = nil
                return waiter
            }
            $0.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns on the next signal (or a pending one), or after `timeout`.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Checked under the lock the cancellation handler takes: either the handler finds this waiter, or
                // the task is already marked cancelled here.
                let resumeNow: Bool = state.withLock {
                    if Task.isCancelled { return true }
                    if $0.pending {
                        $0.pending = false
                        return true
                    }
                    $0.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
