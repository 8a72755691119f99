public import Foundation
public import SolanaCore

/// How far back a node's ledger reaches, as it said when asked for a job's transactions: "none of them shows" means
/// "none landed" only when the node keeps every block one of them could be in, that is every block since the job was
/// enqueued. A node whose ledger was pruned later (an endpoint without the transaction history, a worker away for
/// days) cannot tell; the job's mint is then neither the job's nor another's, and the job must not fail.
public struct LedgerReach: Sendable, Hashable {
    /// The node's first available block (`getFirstAvailableBlock`); nil when it did not say.
    public var firstSlot: UInt64?
    /// That block's time (`getBlockTime`, Unix seconds); nil when not asked (the ledger starts at genesis) or unknown.
    public var firstBlockTime: Int64?

    /// How much earlier than the job's enqueue the node's first block must be: the database's clock and the cluster's
    /// block times may disagree by this much.
    public static let clockMargin: TimeInterval = 300

    public init(firstSlot: UInt64?, firstBlockTime: Int64?) {
        self.firstSlot = firstSlot
        self.firstBlockTime = firstBlockTime
    }

    /// Whether the node keeps every block a transaction of a job enqueued at `enqueuedAt` can be in.
    public func covers(enqueuedAt: Date) -> Bool {
        guard let firstSlot else { return false }
        if firstSlot == 0 { return true }
        guard let firstBlockTime else { return false }
        return Double(firstBlockTime) <= enqueuedAt.timeIntervalSince1970 - Self.clockMargin
    }

    /// `verdict`, judged on statuses read with this reach, for a job enqueued at `enqueuedAt` whose mint is at
    /// `address`: an unattributed mint stays so only when the node could have shown the job's transactions.
    public func settle(_ verdict: MintVerdict, enqueuedAt: Date, address: PublicKey, transactions: Int) -> MintVerdict {
        // A job that stored no transaction created nothing, whatever the node keeps.
        guard verdict == .unattributed, transactions > 0, !covers(enqueuedAt: enqueuedAt) else { return verdict }
        let start: String
        switch (firstSlot, firstBlockTime) {
        case (nil, _): start = "the node did not say where its ledger starts"
        case (let slot?, nil): start = "the node's ledger starts at slot \(slot), whose time it does not know"
        case (let slot?, let time?):
            start =
                "the node's ledger starts at slot \(slot) (\(Self.timestamp(Double(time)))), too late to hold every block since this job was enqueued (\(Self.timestamp(enqueuedAt.timeIntervalSince1970)))"
        }
        return .unattributable(
            "the mint at \(address) exists with this job's authorities, but none of its \(transactions) transaction(s) shows on the node and \(start): it cannot tell whether one of them created the mint"
        )
    }

    private static func timestamp(_ seconds: TimeInterval) -> String {
        Date(timeIntervalSince1970: seconds).formatted(.iso8601)
    }
}
