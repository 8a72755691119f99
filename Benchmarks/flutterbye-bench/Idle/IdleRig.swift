import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO

/// What each holder count of the idle benchmark runs on, all of it new: a local chain with the accounts, a database,
/// and one `flutterbye index` process with its defaults; everything is stopped (and on an existing server the
/// database dropped) when the count is measured, also when it fails.
struct IdleRig: Sendable {
    var server: BenchmarkServer
    var python: String
    var binary: URL
    var slotMs: Int
    var window: Duration
    var warmUp: Duration
    /// FLBY transfers sent after the window, one every `lagInterval`, to time how soon each is indexed.
    var lagTransfers: Int
    var lagInterval: Duration
    var processes: ChildProcesses
    var logs: URL

    static let logger: Logger = {
        var logger = Logger(label: "flutterbye.bench.idle")
        logger.logLevel = .error
        return logger
    }()

    func measure(holders: Int) async throws -> IdleFigure {
        let name = "holders\(holders)"
        let chain = try LocalChainProcess(python: python, slotMs: slotMs, log: logs.appendingPathComponent("\(name)-chain.log"), processes: processes)
        defer { chain.stop(processes) }
        let accounts = try makeAccounts(holders: holders, chain: chain, name: name)
        return try await server.withDatabase("flutterbye_idle_\(holders)", logger: Self.logger) { database in
            try processes.runToEnd(
                binary.path, ["migrate"], environment: ["DATABASE_URL": database.connectionURL],
                log: logs.appendingPathComponent("\(name)-migrate.log"))
            let environment = [
                "DATABASE_URL": database.connectionURL, "SOLANA_RPC_URL": chain.url, "SOLANA_WS_URL": chain.webSocketURL,
                "FLBY_TOKEN_MINT": accounts.mint, "MAINNET_ESCROW_WALLET": accounts.escrow, "MAINNET_FEE_WALLET": accounts.fee,
                "FLUTTERBYE_LOG_LEVEL": "warning",
            ]
            let indexer = try WorkerProcess(
                binary: binary, command: "index", environment: environment, log: logs.appendingPathComponent("\(name)-index.log"),
                processes: processes)
            defer { indexer.stop(processes) }
            let followed = try await waitUntilIndexed(database, expected: 5 + holders, indexer: indexer)
            try await Task.sleep(for: warmUp)
            try await chain.resetCounters()
            try await Task.sleep(for: window)
            let state = try await chain.state()
            guard indexer.isRunning else { throw BenchmarkFailure("flutterbye index stopped during the window:\n\(indexer.tail())") }
            let lags = try await indexingLags(chain: chain, database: database, holders: holders, name: name)
            return IdleFigure(holders: holders, followed: followed, window: window, calls: state.requests, lags: lags)
        }
    }

    /// Sends `lagTransfers` FLBY transfers between the holders (`flby_transfers.py`) while following the chain's
    /// slots, and gives for each how many slots after the chain confirmed it the indexer stored it (`indexed_at`
    /// against the start of the slot it landed in plus the confirmation depth).
    private func indexingLags(chain: LocalChainProcess, database: DatabaseConfiguration, holders: Int, name: String) async throws -> [Double] {
        guard lagTransfers > 0 else { return [] }
        let timeline = SlotTimeline()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await timeline.follow(chain) }
            defer { group.cancelAll() }
            try await Task.sleep(for: .seconds(1))
            let script = BenchmarkPaths.root.appendingPathComponent("Tests/LocalChain/flby_transfers.py").path
            let output = try await runOffThePool(
                [
                    python, script, "--rpc", chain.url, "--holders", String(holders), "--count", String(lagTransfers), "--interval-ms",
                    String(Int(lagInterval.milliseconds)),
                ], log: "\(name)-transfers.log")
            guard let line = output.split(separator: "\n").last,
                let document = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let signatures = document["signatures"] as? [String]
            else { throw BenchmarkFailure("flby_transfers.py printed no signatures: \(output.suffix(500))") }
            return try await BenchmarkDatabases.withAdmin(database, logger: Self.logger) { client in
                let deadline = ContinuousClock.now + .seconds(60)
                var rows: [(slot: Int, indexedAt: Double)] = []
                while ContinuousClock.now < deadline {
                    rows = []
                    let query: PostgresQuery = """
                        SELECT slot, extract(epoch FROM indexed_at)::float8 FROM flutterbye.indexed_transactions
                        WHERE signature = ANY(\(signatures))
                        """
                    for try await (slot, indexedAt) in try await client.query(query, logger: Self.logger).decode((Int64, Double).self) {
                        rows.append((Int(slot), indexedAt))
                    }
                    if rows.count == signatures.count { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                guard rows.count == signatures.count else {
                    throw BenchmarkFailure("\(rows.count) of \(signatures.count) transfers indexed within 60 s")
                }
                return rows.compactMap { timeline.slots(from: $0.slot + SenderWorkloads.confirmDepth, to: $0.indexedAt, slotMs: slotMs) }
            }
        }
    }

    /// `run(_:environment:log:)` on a thread of its own (it waits for the process), and the log's text.
    private func runOffThePool(_ arguments: [String], log name: String) async throws -> String {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String, any Error>) in
            Thread {
                do {
                    try processes.runToEnd(arguments[0], Array(arguments.dropFirst()), environment: [:], log: logs.appendingPathComponent(name))
                    continuation.resume(returning: (try? String(contentsOf: logs.appendingPathComponent(name), encoding: .utf8)) ?? "")
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    /// The FLBY mint, the wallets and the holders' accounts, made by `flby_history.py --plain` (solders and solana-py).
    private func makeAccounts(holders: Int, chain: LocalChainProcess, name: String) throws -> (mint: String, escrow: String, fee: String) {
        let script = BenchmarkPaths.root.appendingPathComponent("Tests/LocalChain/flby_history.py").path
        let setup = logs.appendingPathComponent("\(name)-setup.json")
        try processes.runToEnd(
            python,
            [
                script, "--rpc", chain.url, "--setup-out", setup.path, "--out", logs.appendingPathComponent("\(name)-expected.json").path,
                "--count", "0", "--plain", "--holders", String(holders),
            ], environment: [:], log: logs.appendingPathComponent("\(name)-accounts.log"))
        guard let document = try JSONSerialization.jsonObject(with: Data(contentsOf: setup)) as? [String: Any],
            let mint = document["mint"] as? String, let escrow = document["escrow"] as? String, let fee = document["fee"] as? String
        else { throw BenchmarkFailure("flby_history.py wrote an unexpected \(setup.path)") }
        return (mint, escrow, fee)
    }

    /// Waits (up to 3 minutes) until the indexer follows `expected` addresses and every indexed transaction is
    /// finalized; the number followed.
    private func waitUntilIndexed(_ database: DatabaseConfiguration, expected: Int, indexer: WorkerProcess) async throws -> Int {
        try await BenchmarkDatabases.withAdmin(database, logger: Self.logger) { client in
            let deadline = ContinuousClock.now + .seconds(180)
            var followed = 0
            var unfinalized = -1
            while ContinuousClock.now < deadline {
                guard indexer.isRunning else { throw BenchmarkFailure("flutterbye index exited:\n\(indexer.tail())") }
                followed = try await count("SELECT count(*) FROM flutterbye.index_cursors", client)
                let indexed = try await count("SELECT count(*) FROM flutterbye.indexed_transactions", client)
                unfinalized = try await count("SELECT count(*) FROM flutterbye.indexed_transactions WHERE NOT finalized", client)
                if followed >= expected, indexed > 0, unfinalized == 0 { return followed }
                try await Task.sleep(for: .milliseconds(500))
            }
            throw BenchmarkFailure(
                "after 3 minutes the indexer followed \(followed) of \(expected) addresses with \(unfinalized) transactions not finalized:\n"
                    + indexer.tail())
        }
    }

    private func count(_ query: PostgresQuery, _ client: PostgresClient) async throws -> Int {
        for try await (value, ) in try await client.query(query, logger: Self.logger).decode((Int64,).self) { return Int(value) }
        return 0
    }
}
