public import FlutterbyeStore
public import Logging
public import SolanaRPC

/// The worker's settings: the database, the RPC endpoints, the sender's keys and policy, and the job queue's pace.
/// FlutterbyeService reads them from the environment (the README's table gives each variable and default).
public struct WorkerSettings: Sendable {
    public var database: DatabaseConfiguration
    public var endpoints: [RPCEndpoint]
    public var sender: SenderConfiguration
    /// This process's name in job leases (default: host name and process id).
    public var workerID: String
    /// Jobs in flight at once, each with at most one unconfirmed transaction (FLUTTERBYE_MAX_IN_FLIGHT).
    public var maxInFlight: Int
    /// How long a claimed job's lease lasts; it is renewed at a third of this.
    public var lease: Duration
    /// How long finished jobs are kept before they are pruned.
    public var retention: Duration
    /// The least severe log level written (FLUTTERBYE_LOG_LEVEL, default info).
    public var logLevel: Logger.Level

    public init(
        database: DatabaseConfiguration, endpoints: [RPCEndpoint], sender: SenderConfiguration, workerID: String, maxInFlight: Int,
        lease: Duration, retention: Duration, logLevel: Logger.Level
    ) {
        self.database = database
        self.endpoints = endpoints
        self.sender = sender
        self.workerID = workerID
        self.maxInFlight = maxInFlight
        self.lease = lease
        self.retention = retention
        self.logLevel = logLevel
    }
}
