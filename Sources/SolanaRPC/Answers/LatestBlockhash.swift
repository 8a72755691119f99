import Foundation
public import SolanaCore

/// A recent blockhash and the last block height at which a transaction using it can land.
public struct LatestBlockhash: Sendable, Hashable {
    public var blockhash: Blockhash
    public var lastValidBlockHeight: UInt64
    /// The slot the node answered at.
    public var contextSlot: UInt64

    /// How many blocks after its own a blockhash can be used in (the cluster's MAX_PROCESSING_AGE).
    public static let maxProcessingAge: UInt64 = 150
}
