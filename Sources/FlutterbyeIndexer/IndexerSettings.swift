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
        logLevel: Logger.Level, programIDL: AnchorIDL? = nil
    ) {
        self.database = database
        self.endpoints = endpoints
        self.watched = watched
        self.start = start
        self.options = options
        self.logLevel = logLevel
        self.programIDL = programIDL
    }
}
