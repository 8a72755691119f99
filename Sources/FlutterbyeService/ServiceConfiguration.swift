public import FlutterbyeAPI
public import FlutterbyeIndexer
public import FlutterbyeStore
public import Logging
import SolanaCore
public import SolanaRPC
public import TokenWorker

/// Which parts of the service a process runs.
public struct ServiceParts: Sendable, Hashable {
    public var indexer: Bool
    public var worker: Bool
    public var api: Bool

    public init(indexer: Bool = true, worker: Bool = true, api: Bool = true) {
        self.indexer = indexer
        self.worker = worker
        self.api = api
    }

    public var isEmpty: Bool { !indexer && !worker && !api }
}

/// The whole service's configuration, read from the environment: the shared database and RPC endpoints, and the
/// settings of each part that runs. Reading names every problem of every part at once.
public struct ServiceConfiguration: Sendable {
    public var parts: ServiceParts
    public var database: DatabaseConfiguration
    public var endpoints: [RPCEndpoint]
    public var logLevel: Logger.Level
    public var worker: WorkerSettings?
    public var indexer: IndexerSettings?
    public var api: APISettings?
    /// `SOLANA_CLUSTER`, when set (checked to name a cluster).
    public var clusterName: String?
    /// The environment it was read from (production mode checks more of it).
    public var environment: ServiceEnvironment

    public init(environment: ServiceEnvironment, parts: ServiceParts) throws(ConfigurationError) {
        var problems: [String] = []
        func collect<Settings>(_ enabled: Bool, _ read: () throws(ConfigurationError) -> Settings) -> Settings? {
            guard enabled else { return nil }
            do { return try read() } catch {
                for problem in error.problems where !problems.contains(problem) { problems.append(problem) }
                return nil
            }
        }
        if parts.isEmpty { problems.append("every part is switched off: nothing to run") }
        worker = collect(parts.worker) { () throws(ConfigurationError) in try WorkerSettings(environment: environment) }
        indexer = collect(parts.indexer) { () throws(ConfigurationError) in try IndexerSettings(environment: environment) }
        api = collect(parts.api) { () throws(ConfigurationError) in try APISettings(environment: environment) }
        var reader = EnvironmentReader(environment)
        let database = reader.database()
        logLevel = reader.logLevel()
        let clusterName = reader.value("SOLANA_CLUSTER")
        if let name = clusterName, SolanaCluster(name: name) == nil {
            reader.problems.append("SOLANA_CLUSTER must be mainnet-beta, devnet, testnet or localnet, not '\(name)'")
        }
        let endpoints = reader.endpoints()
        for problem in reader.problems where !problems.contains(problem) { problems.append(problem) }
        guard problems.isEmpty, let database else { throw ConfigurationError(problems: problems) }
        self.parts = parts
        self.database = database
        self.endpoints = endpoints
        self.clusterName = clusterName
        self.environment = environment
    }
}

extension ServiceConfiguration {
    /// The cluster the service works on: the genesis hash the RPC reports and the name `SOLANA_CLUSTER` gives, which
    /// must agree when both are known (see `ClusterIdentity`); and, when the RPC did not report it, why (the error
    /// names the endpoint as scheme, host and port), for the operator.
    public func identifyCluster(rpc: SolanaRPCClient) async -> (identity: ClusterIdentity, unanswered: String?) {
        do {
            return (ClusterIdentity(name: clusterName, genesisHash: try await rpc.genesisHash()), nil)
        } catch {
            let problem = "SOLANA_RPC_URL did not answer getGenesisHash: \(error); check the URL, its credentials and the node"
            return (ClusterIdentity(name: clusterName, genesisHash: nil), problem)
        }
    }

    /// The RPC endpoints as they are shown: scheme, host and port, comma-separated.
    public var endpointsShown: String {
        endpoints.map(\.description).joined(separator: ", ")
    }
}
