/// What an event is about.
public enum EventKind: String, Sendable, CaseIterable {
    /// A token job changed state (or was enqueued).
    case jobState = "job_state"
    /// The indexer stored a movement of FLBY.
    case flbyMovement = "flby_movement"
    /// The indexer stored escrow or fee-wallet activity.
    case walletMovement = "wallet_movement"
    /// An indexed transaction was found gone from the chain after finality: its movements left every view.
    case transactionDropped = "transaction_dropped"
}
