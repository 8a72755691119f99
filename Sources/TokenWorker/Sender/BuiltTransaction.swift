public import SolanaCore

/// A signed transaction, the block height after which it can no longer land, and the most it can take from the fee
/// payer (fees and the rent it pays, in lamports).
public struct BuiltTransaction: Sendable, Hashable {
    public var transaction: Transaction
    public var lastValidBlockHeight: UInt64
    public var maxCost: UInt64

    public init(transaction: Transaction, lastValidBlockHeight: UInt64, maxCost: UInt64 = 0) {
        self.transaction = transaction
        self.lastValidBlockHeight = lastValidBlockHeight
        self.maxCost = maxCost
    }
}

/// Why a transaction could not be built.
public enum BuildFailure: Error, Sendable, Hashable {
    /// It may work later (no blockhash yet, the RPC failed): build again.
    case transient(String)
    /// It never will with this job or this payer (the calibration's simulation found the payer unfunded, the
    /// transaction too large): fail the job with this class and message.
    case permanent(errorClass: String, String)
    /// The simulation found the mint address in use: find out whose mint it is.
    case mintAddressInUse(String)
}
