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

    /// What a discovery pass found: every token account of the mint and of the watched wallets that exists now (a
    /// source that follows addresses closes those gone once their history is read to its end).
    func discovered(existing: Set<PublicKey>) async

    /// Token accounts that indexed transactions at these slots named in their token balances (seen again).
    func named(_ accounts: [(account: PublicKey, slot: UInt64)]) async

    /// The followed token accounts closed (at a slot) or opened again (nil) since the last call, for the store.
    func takeClosures() async -> [PublicKey: UInt64?]

    /// Gives back closures the store could not take.
    func restoreClosures(_ closures: [PublicKey: UInt64?]) async

    /// Moves cursors back (they were at dropped transactions) and delivers the dropped ones again if they show up.
    func rewind(_ cursors: [AddressCursor], dropped: Set<Signature>) async

    /// Waits until everything the node had when this was called has been delivered (a test, `reconcile`).
    func caughtUp() async

    /// Whether the source hears of new transactions as they happen (a live subscription), so that the indexer's
    /// discovery pass is a slow sweep too.
    func isSubscribed() async -> Bool
}

extension TransactionSource {
    /// A source that does not follow addresses one by one (a block or Geyser stream) has nothing to close.
    public func discovered(existing: Set<PublicKey>) async {}
    public func named(_ accounts: [(account: PublicKey, slot: UInt64)]) async {}
    public func takeClosures() async -> [PublicKey: UInt64?] { [:] }
    public func restoreClosures(_ closures: [PublicKey: UInt64?]) async {}
    public func isSubscribed() async -> Bool { false }
}
