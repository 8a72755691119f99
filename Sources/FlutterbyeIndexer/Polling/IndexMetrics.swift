import CoreMetrics
import Foundation
import SolanaCore

/// The indexer's per-address metric, through swift-metrics: when each configured address (mint, wallets, program) was
/// last caught up, that is polled to the head of its history with everything found stored. The time since then is
/// the index's lag in seconds, which a quiet address does not inflate (its lag in slots, since its newest indexed
/// transaction, grows while nothing happens). Discovered token accounts are left out: there may be thousands.
enum IndexMetrics {
    static let caughtUp = "flutterbye_index_caught_up_timestamp_seconds"

    /// Records a poll of `address` that ended with `outcome`, finished at `date`.
    static func polled(_ address: AddressCursor, outcome: PollOutcome, at date: Date = Date()) {
        guard outcome.caughtUp, address.role.isConfigured else { return }
        Gauge(label: caughtUp, dimensions: [("role", address.role.rawValue), ("address", address.address.base58)])
            .record(date.timeIntervalSince1970)
    }
}
