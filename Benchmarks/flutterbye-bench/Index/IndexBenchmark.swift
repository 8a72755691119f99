import ArgumentParser
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO

/// `flutterbye-bench index`: the indexer's throughput in transactions per second, fed by a replay RPC that serves
/// recorded answers (so the indexer, not the chain, is the bottleneck), next to the physical limit measured in the
/// same run: a bulk COPY of the same rows into the same tables.
struct IndexBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Indexer throughput from a replay RPC vs a bulk COPY of the same rows into the same tables.",
        discussion: """
            Makes a history with Tests/LocalChain/flby_history.py on Tests/LocalChain/local_chain.py (the venv's Python: \
            run Tests/run once), records every answer the indexer needs (each watched address's signatures, every \
            transaction, the token-account discovery), stops the chain, and serves the recording from an in-process \
            HTTP server. Starts a throwaway PostgreSQL cluster unless --database-url names a server (a database is \
            created there and dropped).
            """)

    @Option(help: "Transactions the generator sends after its setup.")
    var transactions = 3_000

    @Option(help: "Generator seed.")
    var seed = 21

    @Option(help: "Signatures per delivered batch (and per database transaction).")
    var signaturesPerBatch = PollingSettings().signaturesPerBatch

    @Option(help: "getTransaction calls per JSON-RPC batch.")
    var transactionsPerRequest = PollingSettings().transactionsPerRequest

    @Option(help: "COPY runs; the fastest is the limit.")
    var copyRuns = 10

    @Option(help: "Indexing runs, each from an empty index; the fastest is reported (as for the COPY).")
    var indexRuns = 10

    @Option(help: "Those batches in flight at once, over every address.")
    var requestsInFlight = PollingSettings().requestsInFlight

    @Option(help: "Batches of one address fetched ahead of the one being stored.")
    var batchesAhead = PollingSettings().batchesAhead

    @Option(help: "Addresses of one polling round indexed at once.")
    var addressesInFlight = PollingSettings().addressesInFlight

    @Flag(help: "Time the indexing stages alone on the recording (replay answer, decode, extract, COPY rows) instead of the whole run.")
    var stages = false

    @Option(name: .customLong("database-url"), help: "Use this server instead of a throwaway cluster (needs CREATEDB).")
    var databaseURL: String?

    @Option(help: "Python with solders (default: FLUTTERBYE_PYTHON, else .venv/bin/python).")
    var python: String?

    var pollingSettings: PollingSettings {
        PollingSettings(
            busyInterval: .milliseconds(20), quietInterval: .seconds(1), addressesInFlight: addressesInFlight,
            transactionsPerRequest: transactionsPerRequest,
            requestsInFlight: requestsInFlight, signaturesPerBatch: signaturesPerBatch, batchesAhead: batchesAhead)
    }

    func run() throws {
        let root = BenchmarkPaths.root
        let interpreter = try BenchmarkPaths.python(python)
        let logger = {
            var logger = Logger(label: "flutterbye.bench.index")
            logger.logLevel = .error
            return logger
        }()

        say("index benchmark: recording a history of \(transactions) transactions from the local chain…")
        let recording = try runBlocking {
            try await HistoryRecording.make(root: root, python: interpreter, count: transactions, seed: seed, logger: logger)
        }
        say("recorded \(recording.transactions.count) transactions over \(recording.signatures.count) addresses")
        if stages {
            let timings = IndexStageTimings(recording: recording, batchSize: transactionsPerRequest, polling: pollingSettings, logger: logger)
            say(try timings.run(rounds: max(1, indexRuns)))
            return
        }

        let server = try BenchmarkServer.start(databaseURL: databaseURL, root: root)
        let trap = SignalTrap { server.stop() }
        defer {
            server.stop()
            trap.cancel()
        }
        let settings = pollingSettings
        let figures = try runBlocking {
            do {
                return try await server.withDatabase("flutterbye_index_bench", logger: logger) { database in
                    try await IndexWorkload(
                        database: database, recording: recording, polling: settings, copyRuns: max(1, copyRuns), indexRuns: max(1, indexRuns),
                        logger: logger
                    ).run()
                }
            } catch let error as PSQLError {
                throw BenchmarkFailure("PostgreSQL: \(String(reflecting: error))")
            }
        }
        say(figures.report)
    }
}
