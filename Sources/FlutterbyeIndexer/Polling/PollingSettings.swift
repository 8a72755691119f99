/// How `PollingTransactionSource` polls: how often, how much at once.
public struct PollingSettings: Sendable, Hashable {
    /// How soon a busy address (one that had new signatures) and every configured address is polled again.
    public var busyInterval: Duration
    /// The longest a quiet discovered address waits between polls; its interval doubles from `busyInterval` with
    /// every poll that finds nothing. A token account that discovery no longer finds is closed by its first quiet
    /// poll that begins at least this long after.
    public var quietInterval: Duration
    /// A discovered address whose history had nothing new for this long is dormant: it waits a twelfth of the time
    /// it has been idle ...
    public var dormantAfter: Duration
    /// ... up to this long.
    public var dormantInterval: Duration
    /// Addresses whose first page is asked for in one JSON-RPC batch.
    public var addressesPerRound: Int
    /// Polling rounds under way at once.
    public var roundsInFlight: Int
    /// Addresses of one round indexed at once.
    public var addressesInFlight: Int
    /// `getTransaction` calls per JSON-RPC batch.
    public var transactionsPerRequest: Int
    /// Those batches in flight at once, over every address; the chunk of signatures scheduled first is served first.
    public var requestsInFlight: Int
    /// Signatures per delivered batch (and so per cursor advance).
    public var signaturesPerBatch: Int
    /// Batches of one address fetched ahead of the one being stored, so that fetching goes on while it is written.
    public var batchesAhead: Int
    /// Signatures per `getSignaturesForAddress` page (at most 1000).
    public var pageSize: Int
    /// Signatures one read of an address's history holds at most (besides its first and last pages); a longer history
    /// (a first read, a long outage, a wallet sent dust by the million) is indexed in parts, one page read again per
    /// page let go.
    public var signaturesHeld: Int
    /// Where an address without a cursor starts: nil for its whole history, else this slot (included).
    public var startSlot: UInt64?
    /// How often an address a live PubSub subscription covers is polled anyway (a sweep: the subscription wakes a
    /// poll for each of its transactions, and the sweep catches what a subscription missed).
    public var sweepInterval: Duration

    public init(
        busyInterval: Duration = .seconds(1), quietInterval: Duration = .seconds(30), addressesPerRound: Int = 32, roundsInFlight: Int = 2,
        addressesInFlight: Int = 4,
        transactionsPerRequest: Int = 100, requestsInFlight: Int = 8, signaturesPerBatch: Int = 1000, batchesAhead: Int = 2,
        pageSize: Int = 1000, startSlot: UInt64? = nil, dormantAfter: Duration = .seconds(3_600), dormantInterval: Duration = .seconds(3_600),
        sweepInterval: Duration = .seconds(120), signaturesHeld: Int = 100_000
    ) {
        self.busyInterval = busyInterval
        self.quietInterval = max(quietInterval, busyInterval)
        self.dormantAfter = max(dormantAfter, .zero)
        self.dormantInterval = max(dormantInterval, self.quietInterval)
        self.addressesPerRound = max(1, addressesPerRound)
        self.roundsInFlight = max(1, roundsInFlight)
        self.addressesInFlight = max(1, addressesInFlight)
        self.transactionsPerRequest = max(1, transactionsPerRequest)
        self.requestsInFlight = max(1, requestsInFlight)
        self.signaturesPerBatch = max(1, signaturesPerBatch)
        self.batchesAhead = max(0, batchesAhead)
        self.pageSize = min(max(1, pageSize), 1000)
        self.signaturesHeld = max(0, signaturesHeld)
        self.startSlot = startSlot
        self.sweepInterval = max(sweepInterval, busyInterval)
    }
}
