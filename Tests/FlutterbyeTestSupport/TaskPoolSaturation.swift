import Foundation
import Synchronization

/// Keeps every thread of Swift's task pool busy for a while, as a server too loaded to run its tasks would be: one
/// task per processor spins (a spinning thread is not seen as blocked, so the pool adds none), and once all of them
/// hold a thread, `meanwhile` runs on one of them. Other tests' tasks wait that long too.
public enum TaskPoolSaturation {
    /// Holds the pool for `duration` after all its threads are taken (giving up the wait for them after 60 s), with
    /// `meanwhile` run once they are.
    public static func hold(for duration: Duration, meanwhile: @escaping @Sendable () -> Void) async {
        let width = ProcessInfo.processInfo.activeProcessorCount
        let state = State()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<width {
                group.addTask {
                    let giveUp = ContinuousClock.now + .seconds(60)
                    if state.started.add(1, ordering: .sequentiallyConsistent).newValue == width {
                        meanwhile()
                        state.releaseAt.withLock { $0 = .now + duration }
                    }
                    while true {
                        let now = ContinuousClock.now
                        if let release = state.releaseAt.withLock({ $0 }), now >= release { return }
                        if now >= giveUp { return }
                    }
                }
            }
        }
    }

    private final class State: Sendable {
        let started = Atomic<Int>(0)
        let releaseAt = Mutex<ContinuousClock.Instant?>(nil)
    }
}
