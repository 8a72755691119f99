import Foundation
import Synchronization

/// When each of the chain's slots began, as the benchmark saw its slot change (polled every 20 ms), in wall-clock
/// seconds since 1970: what a database timestamp (a row's `indexed_at`, a job's `confirmed_at`) is compared with to
/// tell how many slots after the chain's confirmation the service knew of a transaction.
final class SlotTimeline: Sendable {
    private let starts = Mutex<[Int: Double]>([:])

    /// Follows `chain`'s slot until the task is cancelled.
    func follow(_ chain: LocalChainProcess) async {
        while !Task.isCancelled {
            if let slot = try? await chain.state().slot {
                let now = Date().timeIntervalSince1970
                starts.withLock { starts in
                    if starts[slot] == nil { starts[slot] = now }
                }
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// When `slot` began; nil when it was not seen.
    func start(of slot: Int) -> Double? { starts.withLock { $0[slot] } }

    /// How many slots (of `slotMs`) after `slot` began the instant `seconds` (since 1970) came; nil when `slot` was
    /// not seen.
    func slots(from slot: Int, to seconds: Double, slotMs: Int) -> Double? {
        start(of: slot).map { (seconds - $0) * 1000 / Double(slotMs) }
    }
}
