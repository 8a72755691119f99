public import SolanaCore

/// Where a node's ledger starts, asked at the end of the batch whose answers depend on it, so that one node answers
/// both: its first available block (`getFirstAvailableBlock`) and the first block it lists from genesis on
/// (`getBlocksWithLimit` 0, 1). The second guards the first: a node just started from a snapshot has a single root,
/// and Agave's `getFirstAvailableBlock` then answers 0 (its blockstore finds no second root and answers the
/// default), as if the node kept every block since genesis, while the first block it lists is its snapshot's. A node
/// that keeps the whole history (in its ledger or a BigTable archive) lists block 0.
public enum LedgerStart {
    /// The two calls, in this order, to put at the end of a batch.
    static let calls: [(method: String, params: [JSONValue])] = [
        (method: "getFirstAvailableBlock", params: []), (method: "getBlocksWithLimit", params: [.int(0), .int(1)]),
    ]

    /// The slot a node's ledger starts at, from its answers to `calls` (nil: that call failed or did not answer the
    /// expected type): the later of the two when the node listed a block (of several, where one was asked, the
    /// latest: the later the start, the less a node is trusted to know); when it listed none (the listing refused,
    /// or empty), its first available block if that is above 0. Nil, not known, otherwise: a 0 that no listing
    /// confirms may be a node's default.
    public static func slot(firstAvailable: UInt64?, listed: [UInt64]?) -> UInt64? {
        if let listedStart = listed?.max() { return max(listedStart, firstAvailable ?? 0) }
        guard let firstAvailable, firstAvailable > 0 else { return nil }
        return firstAvailable
    }
}
