public import FlutterbyeStore
public import Logging
public import SolanaCore
public import SolanaRPC

/// The indexer's settings (and `reconcile`'s): the database, the RPC endpoints, the watched addresses, where indexing
/// starts, and its pace. FlutterbyeService reads them from the environment, the seeds' names included (the README's
/// table gives each variable and default).
public struct IndexerSettings: Sendable {
    public var database: DatabaseConfiguration
    public var endpoints: [RPCEndpoint]
    public var watched: WatchedAddresses
    /// Where an address without a cursor starts: a slot, or a signature whose slot is looked up at start.
    public var start: IndexStart
    public var options: IndexerOptions
    public var logLevel: Logger.Level
    /// The watched program's Anchor IDL (`FLUTTERBYE_PROGRAM_IDL`), read at start: its events are decoded into
    /// `program_events`; without it they are kept raw.
    public var programIDL: AnchorIDL?
    /// The node's PubSub endpoint (`SOLANA_WS_URL`, by default derived from the RPC URL): followed addresses are
    /// subscribed to, and polling becomes a sweep while the subscription is live. Nil: polling only.
    public var pubSub: PubSubEndpoint?

    /// Where indexing starts for an address that has no cursor yet.
    public enum IndexStart: Sendable, Hashable {
        /// The address's whole history.
        case beginning
        /// This slot, included.
        case slot(UInt64)
        /// The slot of this transaction, included.
        case signature(Signature)
    }

    public init(
        database: DatabaseConfiguration, endpoints: [RPCEndpoint], watched: WatchedAddresses, start: IndexStart, options: IndexerOptions,
        logLevel: Logger.Level, programIDL: AnchorIDL? = nil, pubSub: PubSubEndpoint? = nil
    ) {
        self.database = database
        self.endpoints = endpoints
        self.watched = watched
        self.start = start
        self.options = options
        self.logLevel = logLevel
        self.programIDL = programIDL
        self.pubSub = pubSub
    }
}
