import Foundation
import Synchronization

/// Keeps every thread of Swift's task pool busy for a while, as a server too loaded to run its tasks would be: one
/// task per processor spins (a spinning thread is not seen as blocked, so the pool adds none), and once all of them
/// hold a thread, `meanwhile` runs on one of them. Other tests' tasks wait that long too.
public enum TaskPoolSaturation {
    /// Holds the pool for `duration` after all its threads are taken, with `meanwhile` run once they are. Should the
    /// pool have fewer threads than processors, `meanwhile` runs after 5 s anyway, so that nothing waits forever.
    public static func hold(for duration: Duration, meanwhile: @escaping @Sendable () -> Void) async {
        let width = ProcessInfo.processInfo.activeProcessorCount
        let state = State()
        let giveUp = ContinuousClock.now + .seconds(5)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<width {
                group.addTask {
                    state.started.add(1, ordering: .sequentiallyConsistent)
                    while true {
                        let now = ContinuousClock.now
                        if let release = state.releaseAt.withLock({ $0 }) {
                            if now >= release { return }
                        } else if state.started.load(ordering: .sequentiallyConsistent) >= width || now >= giveUp {
                            let first = state.releaseAt.withLock { release in
                                guard release == nil else { return false }
                                release = now + duration
                                return true
                            }
                            if first { meanwhile() }
                        }
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
