import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import SolanaRPC

/// The measured run: the indexer against the replay server into a fresh schema, then the same rows by COPY.
struct IndexWorkload: Sendable {
    let database: DatabaseConfiguration
    let recording: HistoryRecording
    let polling: PollingSettings
    let copyRuns: Int
    let indexRuns: Int
    let logger: Logger

    struct Figures {
        var transactions: Int
        var indexSeconds: Double
        var copySeconds: Double
        var rows: Int
        var copyRuns: Int
        var indexRuns: Int
        /// The replay RPC's calls by method.
        var calls: [String: Int]
        /// CPU seconds of this process (indexer and replay RPC) and of PostgreSQL, while indexing and during the
        /// fastest COPY.
        var indexCPU: ProcessCPU
        var copyCPU: ProcessCPU

        var report: String {
            let indexRate = Double(transactions) / indexSeconds
            let copyRate = Double(transactions) / copySeconds
            return """
                replay RPC calls over the \(indexRuns) runs: \(calls.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
                indexer: \(transactions) transactions (\(rows) rows) from the replay RPC (the fastest of \(indexRuns) runs) in \(String(format: "%.3f", indexSeconds)) s = \(String(format: "%.0f", indexRate)) tx/s
                COPY:    the same \(rows) rows into the same tables (the fastest of \(copyRuns) runs) in \(String(format: "%.3f", copySeconds)) s = \(String(format: "%.0f", copyRate)) tx/s
                CPU:     indexing took \(String(format: "%.2f", indexCPU.benchmark)) s in this process (indexer and replay RPC) and \(String(format: "%.2f", indexCPU.postgres)) s in PostgreSQL; the COPY \(String(format: "%.2f", copyCPU.benchmark)) s and \(String(format: "%.2f", copyCPU.postgres)) s
                ratio:   \(String(format: "%.2f", indexRate / copyRate)) of the COPY limit (target: at least 0.50) — \(indexRate / copyRate >= 0.5 ? "met" : "not met")
                """
        }
    }

    func run() async throws -> Figures {
        try await SchemaMigrator.bundled().apply(to: database, logger: logger)
        let client = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
        let calls = CallCounter()
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await recording.withReplayRPC(calls: calls, logger: logger) { rpc in try await measure(client, rpc, calls) }
        }
    }

    func measure(_ client: PostgresClient, _ rpc: SolanaRPCClient, _ calls: CallCounter) async throws -> Figures {
        do {
            let recording = self.recording
            let store = IndexStore(client: client, logger: logger)
            // Warm the connection pool so both sides start with open connections.
            for _ in 0..<4 { _ = try await count(client, "SELECT 1") }

            say("indexing \(recording.relevantCount) transactions from the replay RPC (the fastest of \(indexRuns) runs)…")
            var indexElapsed = Duration.seconds(1_000_000)
            var indexCPU = ProcessCPU(benchmark: 0, postgres: 0)
            for run in 0..<indexRuns {
                // Every run starts from nothing: no rows, no cursors, a new indexer.
                if run > 0 {
                    try await client.query(
                        "TRUNCATE flutterbye.chain_transactions, flutterbye.chain_flby_movements, flutterbye.chain_flby_balance_changes, flutterbye.chain_wallet_activity, flutterbye.chain_program_log_lines, flutterbye.chain_address_cursors, flutterbye.events",
                        logger: logger)
                }
                try await client.query("CHECKPOINT", logger: logger)
                let indexer = Indexer(
                    store: store, rpc: rpc, watched: recording.watched,
                    options: IndexerOptions(polling: polling, discoveryInterval: .seconds(60), settleInterval: .seconds(3600)), logger: logger)
                let (elapsed, cpu) = try await indexOnce(indexer, client)
                if elapsed < indexElapsed {
                    indexElapsed = elapsed
                    indexCPU = cpu
                }
            }

            // The same rows, by COPY, into the same (emptied) tables.
            let clock = ContinuousClock()
            let rows = try await copyRows(client)
            let total = rows.values.reduce(0) { $0 + $1.count }
            var copyElapsed = Duration.seconds(1_000_000)
            var copyCPU = ProcessCPU(benchmark: 0, postgres: 0)
            for _ in 0..<copyRuns {
                try await client.query(
                    "TRUNCATE flutterbye.chain_transactions, flutterbye.chain_flby_movements, flutterbye.chain_flby_balance_changes, flutterbye.chain_wallet_activity, flutterbye.chain_program_log_lines, flutterbye.events",
                    logger: logger)
                try await client.query("CHECKPOINT", logger: logger)
                let copyCPUBefore = ProcessCPU.now()
                let copyStart = clock.now
                try await client.withConnection { connection in
                    // copyFrom quotes the table name as one identifier: name the schema through the search path.
                    try await connection.query("BEGIN", logger: logger)
                    try await connection.query("SET LOCAL search_path TO flutterbye", logger: logger)
                    for (table, columns) in IndexWorkload.tables {
                        try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                            var buffer = ByteBuffer()
                            for line in rows[table] ?? [] {
                                buffer.writeString(line)
                                buffer.writeInteger(UInt8(ascii: "\n"))
                                if buffer.readableBytes > 1 << 20 {
                                    try await writer.write(buffer)
                                    buffer.clear()
                                }
                            }
                            if buffer.readableBytes > 0 { try await writer.write(buffer) }
                        }
                    }
                    try await connection.query("COMMIT", logger: logger)
                }
                let elapsed = clock.now - copyStart
                if elapsed < copyElapsed {
                    copyElapsed = elapsed
                    copyCPU = ProcessCPU.now() - copyCPUBefore
                }
            }
            let copied = try await count(client, "SELECT count(*) FROM flutterbye.chain_transactions")
            guard copied == recording.relevantCount else {
                throw BenchmarkFailure("COPY stored \(copied) transactions, not \(recording.relevantCount)")
            }
            return Figures(
                transactions: recording.relevantCount, indexSeconds: indexElapsed.seconds, copySeconds: copyElapsed.seconds, rows: total,
                copyRuns: copyRuns, indexRuns: indexRuns, calls: calls.snapshot(), indexCPU: indexCPU, copyCPU: copyCPU)
        }
    }

    static let tables: [(String, [String])] = [
        ("chain_transactions", ["signature", "slot", "block_time", "fee", "err", "memo", "finalized", "dropped", "indexed_at", "logs"]),
        (
            "chain_flby_movements",
            [
                "signature", "movement_index", "instruction_index", "inner_index", "kind", "source_account", "source_owner", "destination_account",
                "destination_owner", "amount",
            ]
        ),
        ("chain_flby_balance_changes", ["signature", "token_account", "owner", "slot", "pre_amount", "post_amount"]),
        ("chain_wallet_activity", ["signature", "wallet", "address", "slot", "pre_lamports", "post_lamports", "lamports_delta", "flby_delta"]),
        ("chain_program_log_lines", ["signature", "line_index", "line"]),
    ]

    /// Runs `indexer` until every relevant transaction is stored; returns the time it took and the CPU both sides
    /// used meanwhile. The end is watched cheaply, so that the watching takes little from the measured sides: every
    /// 4 ms the cursors table (a row per address) is asked whether every recorded address's cursor has reached its
    /// newest signature; only then, or every 200 ms in case an address is not followed, are the stored transactions
    /// counted (a scan of the table).
    func indexOnce(_ indexer: Indexer<PollingTransactionSource>, _ client: PostgresClient) async throws -> (Duration, ProcessCPU) {
        let newest = recording.signatures.compactMap { address, entries in entries.first.map { (address, $0.signature) } }
        let cursorsAtNewest: PostgresQuery = """
            SELECT count(*) FROM flutterbye.chain_address_cursors
            WHERE (address, newest_signature) IN (SELECT * FROM unnest(\(newest.map(\.0))::text[], \(newest.map(\.1))::text[]))
            """
        let clock = ContinuousClock()
        let cpuBefore = ProcessCPU.now()
        let start = clock.now
        let running = Task { try await indexer.run() }
        var polls = 0
        while true {
            polls += 1
            if try await count(client, cursorsAtNewest) == newest.count || polls % 50 == 0,
                try await count(client, "SELECT count(*) FROM flutterbye.chain_transactions") >= recording.relevantCount
            {
                break
            }
            try await Task.sleep(for: .milliseconds(4))
        }
        let elapsed = clock.now - start
        let cpu = ProcessCPU.now() - cpuBefore
        reportWindow(elapsed)
        running.cancel()
        _ = try? await running.value
        return (elapsed, cpu)
    }

    /// The indexed rows of every table in COPY text format (the server renders them, so they are exactly the rows).
    func copyRows(_ client: PostgresClient) async throws -> [String: [String]] {
        var rows: [String: [String]] = [:]
        for (table, columns) in Self.tables {
            // COPY text format: \N for NULL, backslash escapes for backslash, tab, newline and carriage return.
            let fields = columns.map { column in
                "coalesce(replace(replace(replace(replace(\(column)::text, E'\\\\', E'\\\\\\\\'), E'\\t', E'\\\\t'), E'\\n', E'\\\\n'), E'\\r', E'\\\\r'), E'\\\\N')"
            }.joined(separator: " || E'\\t' || ")
            var lines: [String] = []
            for try await line in try await client.query(PostgresQuery(unsafeSQL: "SELECT \(fields) FROM flutterbye.\(table)"), logger: logger)
                .decode(String.self)
            {
                lines.append(line)
            }
            rows[table] = lines
        }
        return rows
    }

    func count(_ client: PostgresClient, _ sql: String) async throws -> Int {
        try await count(client, PostgresQuery(unsafeSQL: sql))
    }

    func count(_ client: PostgresClient, _ query: PostgresQuery) async throws -> Int {
        for try await value in try await client.query(query, logger: logger).decode(Int64.self) { return Int(value) }
        return 0
    }
}
