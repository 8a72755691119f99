public import SolanaCore

/// A transaction to send: `preflight` for its first send (the node simulates it and refuses what would fail), never
/// for a rebroadcast (a transaction that may have landed would be refused as already processed).
public struct SendOrder: Sendable, Hashable {
    public var jobID: Int64
    public var transaction: Transaction
    public var preflight: Bool

    public init(jobID: Int64, transaction: Transaction, preflight: Bool) {
        self.jobID = jobID
        self.transaction = transaction
        self.preflight = preflight
    }
}
