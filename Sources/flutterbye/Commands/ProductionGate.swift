import AsyncHTTPClient
import FlutterbyeAPI
import FlutterbyeService
import FlutterbyeStore
import Foundation
import Logging
import SolanaRPC

/// What `run`, `worker` and `index` do before they start anything: read the configuration of the parts that will
/// run (every problem at once), identify the cluster, refuse to start in production mode with every reason listed,
/// and choose the log format (JSON lines in production, text elsewhere).
enum ProductionGate {
    /// The configuration and the cluster (nil: unidentified, so production rules applied). `checkOnly` leaves the
    /// logging system alone and words the refusal as `config check` does.
    static func pass(_ parts: ServiceParts, checkOnly: Bool = false) async throws -> (ServiceConfiguration, SolanaCluster?) {
        let configuration: ServiceConfiguration
        do { configuration = try ServiceConfiguration(environment: ProcessInfo.processInfo.environment, parts: parts) } catch {
            throw CommandFailure(listing("the configuration has", error.problems))
        }
        let http = SolanaRPCClient.makeHTTPClient()
        let cluster: SolanaCluster?
        do {
            let rpc = try SolanaRPCClient(
                endpoints: configuration.endpoints, httpClient: http, timeout: .seconds(5), retry: RPCRetryPolicy(maxAttempts: 2),
                logger: Logger(label: "flutterbye.start"))
            cluster = await configuration.identifyCluster(rpc: rpc)
        } catch {
            try? await http.shutdown()
            throw CommandFailure(error.description)
        }
        try? await http.shutdown()
        let refusals = ProductionPolicy.refusals(configuration, cluster: cluster)
        guard refusals.isEmpty else {
            throw CommandFailure(listing(checkOnly ? "production mode would refuse to start:" : "production mode refuses to start:", refusals))
        }
        if !checkOnly {
            let production = cluster == nil || cluster == .mainnetBeta
            LoggingSystem.bootstrap { label in
                production ? JSONLogHandler(label: label) as any LogHandler : StreamLogHandler.standardError(label: label)
            }
        }
        return (configuration, cluster)
    }

    /// A heading, the number of problems, and one line each.
    static func listing(_ heading: String, _ problems: [String]) -> String {
        "\(heading) \(problems.count) problem(s):\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}
