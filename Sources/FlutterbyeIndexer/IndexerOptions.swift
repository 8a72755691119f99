/// How often the indexer looks for new token accounts and settles rows, and when a row counts as dropped.
public struct IndexerOptions: Sendable {
    public var polling: PollingSettings
    /// How often FLBY token accounts and the wallets' token accounts are looked for (getProgramAccounts,
    /// getTokenAccountsByOwner); accounts named by indexed token balances are followed at once. A followed token
    /// account that discovery no longer finds is closed after its next quiet poll.
    public var discoveryInterval: Duration
    /// How often stored rows are checked against the finalized chain.
    public var settleInterval: Duration
    /// When a stored transaction the node cannot find is dropped, and how long a dropped one is looked for again.
    public var dropPolicy: DropPolicy

    /// A check of a stored transaction the node cannot find counts only this far behind the finalized slot
    /// (`dropPolicy.expirySlots`).
    public var dropAfterSlots: UInt64 {
        get { dropPolicy.expirySlots }
        set { dropPolicy.expirySlots = newValue }
    }

    /// `dropAfterSlots` sets `dropPolicy.expirySlots`.
    public init(
        polling: PollingSettings = PollingSettings(), discoveryInterval: Duration = .seconds(60), settleInterval: Duration = .seconds(10),
        dropAfterSlots: UInt64 = 150, dropPolicy: DropPolicy = DropPolicy()
    ) {
        self.polling = polling
        self.discoveryInterval = discoveryInterval
        self.settleInterval = settleInterval
        self.dropPolicy = dropPolicy
        self.dropPolicy.expirySlots = dropAfterSlots
    }
}
