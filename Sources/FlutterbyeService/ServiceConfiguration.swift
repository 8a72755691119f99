public import FlutterbyeAPI
public import FlutterbyeIndexer
public import FlutterbyeStore
import Foundation
public import Logging
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
    /// The environment it was read from (production mode checks more of it).
    public var environment: [String: String]

    public init(environment: [String: String], parts: ServiceParts) throws(ConfigurationError) {
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
        let (endpoints, endpointProblems) = RPCEndpoint.fromEnvironment(environment)
        for problem in reader.problems + endpointProblems where !problems.contains(problem) { problems.append(problem) }
        guard problems.isEmpty, let database else { throw ConfigurationError(problems: problems) }
        self.parts = parts
        self.database = database
        self.endpoints = endpoints
        self.environment = environment
    }
}

extension ServiceConfiguration {
    /// The cluster the service works on: the one `SOLANA_CLUSTER` names, else the one whose genesis hash the RPC
    /// reports (a custom one for any other hash); nil when neither tells.
    public func identifyCluster(rpc: SolanaRPCClient) async -> SolanaCluster? {
        if let name = api?.clusterName ?? environment["SOLANA_CLUSTER"], let cluster = SolanaCluster(name: name) {
            return cluster
        }
        guard let hash = try? await rpc.genesisHash() else { return nil }
        return SolanaCluster(genesisHash: hash)
    }

    /// The RPC endpoints as they are shown: scheme, host and port, comma-separated.
    public var endpointsShown: String {
        endpoints.map(\.description).joined(separator: ", ")
    }
}
