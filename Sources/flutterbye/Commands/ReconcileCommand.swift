import ArgumentParser
import FlutterbyeIndexer
import Logging

/// `flutterbye reconcile`: compares the index with the chain and prints every difference; exits 1 when there is one.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare indexed FLBY supply, FLBY balances and the wallets' lamports with the chain; exit 1 on any difference.",
        discussion: """
            Same configuration as `flutterbye index`. Run it when the watched addresses are quiet, or after the indexer \
            caught up: a transaction that lands during the comparison shows as a difference until it is indexed.
            """)

    func run() async throws {
        let settings = try IndexerContext.settings()
        var configuredLogger = Logger(label: "flutterbye.reconcile")
        configuredLogger.logLevel = settings.logLevel
        let logger = configuredLogger
        let report = try await IndexerContext.with(settings, logger: logger) { client, rpc in
            try await Reconciliation(store: IndexStore(client: client, logger: logger), rpc: rpc, watched: settings.watched).run()
        }
        for difference in report.differences { print("difference: \(difference)") }
        print("compared \(report.compared) figure(s) at slot \(report.slot): \(report.differences.count) difference(s)")
        if !report.differences.isEmpty { throw ExitCode(1) }
    }
}
