import CoreMetrics
import Foundation
import SolanaCore

/// The indexer's per-address metric, through swift-metrics: when each configured address (mint, wallets, program) was
/// last caught up, that is polled to the head of its history with everything found stored. The time since then is
/// the index's lag in seconds, which a quiet address does not inflate (its lag in slots, since its newest indexed
/// transaction, grows while nothing happens). Until an address is first caught up, the time the process started to
/// follow it: an address whose polls fail from the start (a pruned ledger, a provider refusing the method, an RPC
/// outage at start) lags from then, instead of having no series for the alert to read. Discovered token accounts are
/// left out: there may be thousands.
enum IndexMetrics {
    static let caughtUp = "flutterbye_index_caught_up_timestamp_seconds"

    /// Records that this process starts following `addresses` at `date` (the configured ones; a catch-up replaces it).
    static func following(_ addresses: [AddressCursor], at date: Date = Date()) {
        for address in addresses where address.role.isConfigured { record(address, at: date) }
    }

    /// Records a poll of `address` that ended with `outcome`, finished at `date`.
    static func polled(_ address: AddressCursor, outcome: PollOutcome, at date: Date = Date()) {
        guard outcome.caughtUp, address.role.isConfigured else { return }
        record(address, at: date)
    }

    private static func record(_ address: AddressCursor, at date: Date) {
        Gauge(label: caughtUp, dimensions: [("role", address.role.rawValue), ("address", address.address.base58)])
            .record(date.timeIntervalSince1970)
    }
}
