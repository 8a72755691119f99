public import SolanaCore

/// Transactions a source hands to the indexer, with the cursor they complete: once they are stored, `advance` may
/// be stored with them (in the same database transaction), and not before.
public struct SourceBatch: Sendable {
    /// New transactions, oldest first; those another batch delivered already may be left out.
    public var transactions: [FetchedTransaction]
    /// The cursor these transactions complete; nil when the batch completes none.
    public var advance: CursorAdvance?

    public init(transactions: [FetchedTransaction], advance: CursorAdvance?) {
        self.transactions = transactions
        self.advance = advance
    }
}

/// Where the indexer's transactions come from. Today `PollingTransactionSource` (getSignaturesForAddress and
/// getTransaction over JSON-RPC); a block source (getBlock slot by slot) or a Geyser stream can take its place, as
/// Carbon's datasources do: the indexer only stores what `run` delivers and tells the source what else to follow.
public protocol TransactionSource: Sendable {
    /// Delivers batches until the task is cancelled (then returns). `deliver` returns once the batch is stored; a
    /// source hands out the next batch of the same cursor only after that. An error `deliver` throws is the source's
    /// to handle (retry later); `run` itself throws only what it cannot recover from.
    func run(deliver: @escaping @Sendable (SourceBatch) async throws -> Void) async throws

    /// Follows more addresses from now on (token accounts the indexer discovered), from their cursors.
    func follow(_ addresses: [AddressCursor]) async
}
