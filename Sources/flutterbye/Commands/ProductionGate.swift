import AsyncHTTPClient
import FlutterbyeService
import FlutterbyeStore
import Foundation
import Logging
import SolanaCore
import SolanaRPC

/// What `run`, `worker` and `index` do before they start anything: read the configuration of the parts that will
/// run (every problem at once), identify the cluster (refusing a `SOLANA_CLUSTER` that the RPC's genesis hash
/// contradicts), refuse to start with every reason listed (production mode's, and a keypair file whose mode cannot
/// be read), choose the log format (JSON lines in production, text elsewhere) and log the warnings (`config check`
/// prints them).
enum ProductionGate {
    /// The configuration and the cluster (nil: unidentified, so production rules applied), asking the RPC through
    /// `http`, the caller's client (which the caller shuts down). `checkOnly` leaves the logging system alone and words
    /// the refusal as `config check` does.
    static func pass(_ parts: ServiceParts, http: HTTPClient, checkOnly: Bool = false) async throws -> (ServiceConfiguration, SolanaCluster?) {
        let configuration: ServiceConfiguration
        // What the start asks the RPC (the cluster's genesis hash): briefly, and twice at most.
        func startClient(_ endpoints: [RPCEndpoint]) throws(RPCError) -> SolanaRPCClient {
            try SolanaRPCClient(
                endpoints: endpoints, httpClient: http, timeout: .seconds(5), retry: RPCRetryPolicy(maxAttempts: 2),
                logger: Logger(label: "flutterbye.start"))
        }
        do { configuration = try ServiceConfiguration(environment: .process, parts: parts) } catch {
            let production = await ProductionPolicy.mainnetAddressProblems(.process, parts: parts) { endpoints in
                guard let rpc = try? startClient(endpoints) else { return nil }
                return try? await rpc.genesisHash()
            }
            throw CommandFailure(listing("the configuration has", error.problems + production))
        }
        let identity: ClusterIdentity
        let unanswered: String?
        do {
            (identity, unanswered) = await configuration.identifyCluster(rpc: try startClient(configuration.endpoints))
        } catch {
            throw CommandFailure(error.description)
        }
        let cluster = identity.cluster
        let production = cluster == nil || cluster == .mainnetBeta
        var review = ProductionPolicy.review(configuration, cluster: cluster)
        // Why the cluster is unknown comes first among production mode's refusals; else it is a warning.
        if let unanswered {
            if cluster == nil && !review.refusals.isEmpty {
                review.refusals.insert(unanswered, at: 0)
            } else {
                review.warnings.insert(unanswered, at: 0)
            }
        }
        let refusals = (identity.mismatch.map { [$0] } ?? []) + review.refusals
        guard refusals.isEmpty else {
            let heading = (production ? "production mode " : "") + (checkOnly ? "would refuse to start:" : "refuses to start:")
            throw CommandFailure(listing(heading, refusals))
        }
        if checkOnly {
            for warning in review.warnings { print("warning: \(warning)") }
        } else {
            LoggingSystem.bootstrap { label in
                production ? JSONLogHandler(label: label) as any LogHandler : StreamLogHandler.standardError(label: label)
            }
            let logger = Logger(label: "flutterbye.start")
            for warning in review.warnings { logger.warning("\(warning)") }
        }
        return (configuration, cluster)
    }

    /// A heading, the number of problems, and one line each.
    static func listing(_ heading: String, _ problems: [String]) -> String {
        "\(heading) \(problems.count) problem(s):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
