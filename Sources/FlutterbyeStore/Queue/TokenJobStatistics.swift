import Foundation
import SolanaCore

/// The queue's record over a recent window (`TokenJobQueue.statistics`): confirmation latency and outcomes.
public struct TokenJobStatistics: Sendable, Hashable {
    public var window: Duration
    /// Seconds from enqueue to confirmation, median and 95th percentile, of the jobs confirmed in the window; nil
    /// when none was.
    public var confirmationMedianSeconds: Double?
    public var confirmationP95Seconds: Double?
    /// Jobs confirmed in the window, and jobs that failed for good in it.
    public var confirmed: Int
    public var failed: Int

    /// Confirmed out of confirmed and failed; nil when neither happened.
    public var successRate: Double? {
        confirmed + failed == 0 ? nil : Double(confirmed) / Double(confirmed + failed)
    }
}
