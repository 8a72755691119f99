import ArgumentParser
import AsyncHTTPClient
import FlutterbyeAPI
import FlutterbyeService
import FlutterbyeStore
import Foundation
import Logging
import SolanaRPC

/// `flutterbye config`: configuration tools.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Check the service's configuration.", subcommands: [ConfigCheckCommand.self])
}

/// `flutterbye config check`: everything `flutterbye run` would refuse, at once, without starting anything: every
/// missing or malformed variable of every part that would run, then, on mainnet (or a cluster that cannot be
/// identified), every production-mode refusal. Exit status 1 when there is any.
struct ConfigCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Print every configuration problem of `flutterbye run` at once; exit 1 when there is any.",
        discussion: "Takes the same flags as `flutterbye run`. Asks the RPC for its genesis hash; SOLANA_CLUSTER, when set, must agree with it.")

    @Flag(name: .customLong("no-indexer"), help: "The indexer will not run.")
    var noIndexer = false
    @Flag(name: .customLong("no-worker"), help: "The token worker will not run.")
    var noWorker = false
    @Flag(name: .customLong("no-api"), help: "The status API will not run.")
    var noAPI = false

    func run() async throws {
        let parts = ServiceParts(indexer: !noIndexer, worker: !noWorker, api: !noAPI)
        let (configuration, cluster) = try await SolanaRPCClient.withHTTPClient { http in
            try await ProductionGate.pass(parts, http: http, checkOnly: true)
        }
        let running = [parts.indexer ? "indexer" : nil, parts.worker ? "worker" : nil, parts.api ? "api" : nil].compactMap { $0 }
        print(
            "configuration usable: \(running.joined(separator: ", ")) on \(cluster.map { "\($0)" } ?? "an unidentified cluster (production rules applied)")"
                + " through \(configuration.endpointsShown)")
    }
}
