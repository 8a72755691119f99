import ArgumentParser
import AsyncHTTPClient
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO
import SolanaCore
import SolanaRPC

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
            busyInterval: .milliseconds(20), quietInterval: .seconds(1), addressesInFlight: addressesInFlight, transactionsPerRequest: transactionsPerRequest,
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
        let recording = try runBlocking { try await HistoryRecording.make(root: root, python: interpreter, count: transactions, seed: seed, logger: logger) }
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
        var configured = server.configuration
        configured.database = "flutterbye_index_bench_\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
        let name = configured.database, database = configured
        _ = try runBlocking {
            try await BenchmarkDatabases.withAdmin(server.configuration, logger: logger) { admin in
                try await admin.query("CREATE DATABASE \(unescaped: name)", logger: logger)
            }
        }
        defer {
            if case .existing(let configuration) = server {
                _ = try? runBlocking {
                    try await BenchmarkDatabases.withAdmin(configuration, logger: logger) { admin in
                        try await admin.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: logger)
                    }
                }
            }
        }
        let settings = pollingSettings
        let figures = try runBlocking {
            do {
                return try await IndexWorkload(database: database, recording: recording, polling: settings, copyRuns: max(1, copyRuns), indexRuns: max(1, indexRuns), logger: logger).run()
            } catch let error as PSQLError {
                throw BenchmarkFailure("PostgreSQL: \(String(reflecting: error))")
            }
        }
        say(figures.report)
    }
}

/// What the indexer needs from the chain for one generated history, recorded from the local chain: each address's
/// signatures (newest first, as the node's JSON entries), every transaction's `getTransaction` answer, and the
/// discovery answers.
struct HistoryRecording: Sendable {
    var watched: WatchedAddresses
    /// Per address, its signature entries newest first (each as the node's JSON bytes).
    var signatures: [String: [(signature: String, slot: UInt64, entry: [UInt8])]]
    /// Per signature, the `getTransaction` result as JSON bytes.
    var transactions: [String: [UInt8]]
    /// Per "method programOrOwner", the result as JSON bytes.
    var discovery: [String: [UInt8]]
    var slot: UInt64
    /// The transactions the index must end with.
    var relevantCount: Int

    static func make(root: URL, python: String, count: Int, seed: Int, logger: Logger) async throws -> HistoryRecording {
        let chain = try BenchmarkProcess(
            python, [root.appendingPathComponent("Tests/LocalChain/local_chain.py").path, "--port", "0", "--slot-ms", "20", "--finalize-depth", "4",
                     "--exit-on-stdin-eof"], readyLine: true)
        defer { chain.stop() }
        let readyObject = try JSONSerialization.jsonObject(with: Data(chain.readyLine.utf8)) as? [String: Any]
        guard let url = readyObject?["url"] as? String else { throw BenchmarkFailure("local_chain.py printed \(chain.readyLine)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flby-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("expected.json")
        let generator = try BenchmarkProcess(
            python, [root.appendingPathComponent("Tests/LocalChain/flby_history.py").path, "--rpc", url, "--setup-out",
                     directory.appendingPathComponent("setup.json").path, "--out", out.path, "--count", String(count), "--seed", String(seed)],
            readyLine: false)
        guard generator.wait() == 0 else { throw BenchmarkFailure("flby_history.py failed") }
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any] ?? [:]
        let relevant = (expected["transactions"] as? [[String: Any]] ?? []).filter { $0["relevant"] as? Bool == true }.count
        guard let mint = expected["mint"] as? String, let escrow = expected["escrow"] as? String, let fee = expected["fee"] as? String
        else { throw BenchmarkFailure("flby_history.py wrote no addresses") }
        let watched = WatchedAddresses(
            flbyMint: try PublicKey(base58: mint), escrowWallet: try PublicKey(base58: escrow), feeWallet: try PublicKey(base58: fee))

        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: url)], timeout: .seconds(30), logger: logger)
        // Wait until the last transactions are confirmed, then record.
        try await Task.sleep(for: .milliseconds(200))
        var addresses = [mint, escrow, fee] + (expected["balances"] as? [[String: Any]] ?? []).compactMap { $0["token_account"] as? String }
        var discovery: [String: [UInt8]] = [:]
        // Recorded as a node writes JSON: JSONEncoder would escape every "/" (in base64 and log lines) as "\/", which
        // no Solana node does, and which sends every such string down the decoder's slow path.
        for program in [TokenProgram.token.programID, TokenProgram.token2022.programID] {
            let filters: [JSONValue] = [
                .object(["memcmp": .object(["offset": .int(0), "bytes": .string(mint), "encoding": .string("base58")])])
            ] + (program == TokenProgram.token.programID ? [.object(["dataSize": .int(165)])] : [])
            let accounts = try await rpc.call(
                "getProgramAccounts",
                [.string(program.base58), .object(["encoding": .string("base64"), "commitment": .string("confirmed"), "filters": .array(filters)])],
                as: JSONValue.self)
            discovery["getProgramAccounts \(program.base58)"] = accounts.serialized
            for wallet in [escrow, fee] {
                let owned = try await rpc.call(
                    "getTokenAccountsByOwner",
                    [.string(wallet), .object(["programId": .string(program.base58)]),
                     .object(["encoding": .string("base64"), "commitment": .string("confirmed")])], as: JSONValue.self)
                discovery["getTokenAccountsByOwner \(wallet) \(program.base58)"] = owned.serialized
                if case .object(let object) = owned, case .array(let values)? = object["value"] {
                    addresses += values.compactMap { if case .string(let key)? = $0["pubkey"] { key } else { nil } }
                }
            }
        }
        var signatures: [String: [(String, UInt64, [UInt8])]] = [:]
        var all: Set<String> = []
        for address in Set(addresses) {
            var entries: [(String, UInt64, [UInt8])] = []
            var before: String?
            while true {
                var config: [String: JSONValue] = ["limit": .int(1000), "commitment": .string("confirmed")]
                if let before { config["before"] = .string(before) }
                let page = try await rpc.call("getSignaturesForAddress", [.string(address), .object(config)], as: [JSONValue].self)
                for entry in page {
                    guard case .string(let signature)? = entry["signature"], let slot = entry["slot"]?.uint64 else { continue }
                    entries.append((signature, slot, entry.serialized))
                    all.insert(signature)
                }
                guard page.count == 1000, let last = entries.last else { break }
                before = last.0
            }
            signatures[address] = entries
        }
        var transactions: [String: [UInt8]] = [:]
        let list = Array(all)
        var start = 0
        while start < list.count {
            let chunk = Array(list[start..<min(start + 100, list.count)])
            start += chunk.count
            let answers = try await rpc.batch(
                chunk.map { ("getTransaction", [.string($0), .object(["encoding": .string("base64"), "commitment": .string("confirmed"), "maxSupportedTransactionVersion": .int(0)])]) },
                as: JSONValue.self)
            for (signature, answer) in zip(chunk, answers) {
                guard case .success(let value?) = answer else { throw BenchmarkFailure("getTransaction \(signature) gave no answer") }
                transactions[signature] = value.serialized
            }
        }
        let slot = try await rpc.slot(commitment: .confirmed)
        return HistoryRecording(
            watched: watched, signatures: signatures, transactions: transactions, discovery: discovery, slot: slot, relevantCount: relevant)
    }

    /// The JSON-RPC answer to one call, from the recording: `getSignaturesForAddress` pages (before/until/limit)
    /// cut from the recorded list, `getTransaction` as recorded, discovery as recorded, `getSlot`, and
    /// `getSignatureStatuses` as finalized.
    func answer(method: String, params: [JSONValue], into out: inout ByteBuffer) {
        switch method {
        case "getSignaturesForAddress":
            guard case .string(let address)? = params.first else { out.writeStaticString("[]"); return }
            let config = params.count > 1 ? params[1] : .object([:])
            let entries = signatures[address] ?? []
            var startIndex = 0
            if case .string(let before)? = config["before"], let index = entries.firstIndex(where: { $0.signature == before }) {
                startIndex = index + 1
            }
            let limit = Int(config["limit"]?.uint64 ?? 1000)
            var until: String?
            if case .string(let text)? = config["until"] { until = text }
            out.writeStaticString("[")
            var count = 0
            for entry in entries[min(startIndex, entries.count)...] {
                if entry.signature == until || count >= limit { break }
                if count > 0 { out.writeStaticString(",") }
                out.writeBytes(entry.entry)
                count += 1
            }
            out.writeStaticString("]")
        case "getTransaction":
            guard case .string(let signature)? = params.first, let answer = transactions[signature] else { out.writeStaticString("null"); return }
            out.writeBytes(answer)
        case "getProgramAccounts":
            guard case .string(let program)? = params.first, let answer = discovery["getProgramAccounts \(program)"] else {
                out.writeStaticString("[]")
                return
            }
            out.writeBytes(answer)
        case "getTokenAccountsByOwner":
            guard case .string(let owner)? = params.first, params.count > 1, case .string(let program)? = params[1]["programId"] else {
                out.writeStaticString("null")
                return
            }
            if let answer = discovery["getTokenAccountsByOwner \(owner) \(program)"] {
                out.writeBytes(answer)
            } else {
                out.writeString("{\"context\":{\"slot\":\(slot)},\"value\":[]}")
            }
        case "getSlot":
            out.writeString(String(slot))
        case "getSignatureStatuses":
            guard case .array(let list)? = params.first else { out.writeStaticString("null"); return }
            let statuses = list.map { _ in "{\"slot\":\(slot),\"confirmations\":null,\"err\":null,\"confirmationStatus\":\"finalized\"}" }
            out.writeString("{\"context\":{\"slot\":\(slot)},\"value\":[\(statuses.joined(separator: ","))]}")
        default:
            out.writeStaticString("null")
        }
    }

    /// Answers a JSON-RPC request body (one call or a batch), counting the calls per method in `calls`. The request
    /// is read in place (`getTransaction`'s signature straight from the bytes) and the answers are assembled from
    /// recorded bytes into one buffer, so the replay server takes little of the CPU the indexer is measured on.
    func respond(to body: ByteBuffer, calls counter: CallCounter) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(256 * 1024)
        // The calls of a batch are counted together: one lock per request, not per call.
        var counted = (method: "", count: 0)
        defer { if counted.count > 0 { counter.add(counted.method, counted.count) } }
        let parsed: Bool = body.withUnsafeReadableBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            func reply(_ parser: inout JSONParser) throws(JSONParser.Failure) {
                var id: [UInt8] = Array("null".utf8), method: String?, paramsAt: Int?
                try parser.members { parser, name throws(JSONParser.Failure) in
                    if name == "id" {
                        let start = parser.index
                        try parser.skipValue()
                        id = Array(bytes[start..<parser.index])
                    } else if name == "method" {
                        method = try parser.readString()
                    } else if name == "params" {
                        paramsAt = parser.index
                        try parser.skipValue()
                    } else {
                        try parser.skipValue()
                    }
                }
                out.writeStaticString("{\"jsonrpc\":\"2.0\",\"id\":")
                out.writeBytes(id)
                guard let method else { out.writeStaticString(",\"error\":{\"code\":-32600,\"message\":\"Invalid request\"}}"); return }
                if method == counted.method {
                    counted.count += 1
                } else {
                    if counted.count > 0 { counter.add(counted.method, counted.count) }
                    counted = (method, 1)
                }
                out.writeStaticString(",\"result\":")
                var params: [JSONValue] = []
                if let paramsAt {
                    var reader = JSONParser(bytes, at: paramsAt)
                    if method == "getTransaction" {
                        // Only the signature is needed: no tree for the configuration object.
                        var first = true
                        try reader.elements { parser throws(JSONParser.Failure) in
                            if first, let signature = try? parser.readString() {
                                params.append(.string(signature))
                            } else {
                                try parser.skipValue()
                            }
                            first = false
                        }
                    } else if case .array(let list) = try reader.readValue() {
                        params = list
                    }
                }
                answer(method: method, params: params, into: &out)
                out.writeStaticString("}")
            }
            do throws(JSONParser.Failure) {
                try JSONParser.reading(bytes) { parser throws(JSONParser.Failure) in
                    guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "[") else { return try reply(&parser) }
                    out.writeStaticString("[")
                    var first = true
                    try parser.elements { parser throws(JSONParser.Failure) in
                        if !first { out.writeStaticString(",") }
                        first = false
                        try reply(&parser)
                    }
                    out.writeStaticString("]")
                }
                return true
            } catch {
                return false
            }
        }
        guard parsed else {
            return ByteBuffer(string: "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}")
        }
        return out
    }
}


/// With FLUTTERBYE_BENCH_WINDOW set, prints the measured window that just ended (`window START END` on stderr,
/// CLOCK_MONOTONIC seconds) so that a `perf record -k CLOCK_MONOTONIC` profile can be cut to it.
func reportWindow(_ elapsed: Duration) {
    guard ProcessInfo.processInfo.environment["FLUTTERBYE_BENCH_WINDOW"] != nil else { return }
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    let end = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    FileHandle.standardError.write(Data("window \(end - Double(elapsed.components.seconds) - Double(elapsed.components.attoseconds) / 1e18) \(end)\n".utf8))
}

extension HistoryRecording {
    /// Serves the recording over HTTP on a loopback port (Hummingbird) while `body` runs with a client of it.
    func withReplayRPC<Result: Sendable>(
        calls: CallCounter, logger: Logger, _ body: @escaping @Sendable (SolanaRPCClient) async throws -> Result
    ) async throws -> Result {
        let recording = self
        let router = Router()
        router.post("/") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
            let answer = recording.respond(to: body, calls: calls)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
        }
        let port = PortBox()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) }, logger: Logger(label: "replay-rpc", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            while port.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let http = SolanaRPCClient.makeHTTPClient()
            defer { Task { try? await http.shutdown() } }
            let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: "http://127.0.0.1:\(port.value)")], httpClient: http, logger: logger)
            return try await body(rpc)
        }
    }
}

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
            let indexRate = Double(transactions) / indexSeconds, copyRate = Double(transactions) / copySeconds
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
                    options: Indexer.Options(polling: polling, discoveryInterval: .seconds(60), settleInterval: .seconds(3600)), logger: logger)
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
            guard copied == recording.relevantCount else { throw BenchmarkFailure("COPY stored \(copied) transactions, not \(recording.relevantCount)") }
            return Figures(
                transactions: recording.relevantCount, indexSeconds: indexElapsed.seconds, copySeconds: copyElapsed.seconds, rows: total,
                copyRuns: copyRuns, indexRuns: indexRuns, calls: calls.snapshot(), indexCPU: indexCPU, copyCPU: copyCPU)
        }
    }

    static let tables: [(String, [String])] = [
        ("chain_transactions", ["signature", "slot", "block_time", "fee", "err", "memo", "finalized", "dropped", "indexed_at", "logs"]),
        ("chain_flby_movements", ["signature", "movement_index", "instruction_index", "inner_index", "kind", "source_account", "source_owner", "destination_account", "destination_owner", "amount"]),
        ("chain_flby_balance_changes", ["signature", "token_account", "owner", "slot", "pre_amount", "post_amount"]),
        ("chain_wallet_activity", ["signature", "wallet", "address", "slot", "pre_lamports", "post_lamports", "lamports_delta", "flby_delta"]),
        ("chain_program_log_lines", ["signature", "line_index", "line"]),
    ]

    /// Runs `indexer` until every relevant transaction is stored; returns the time it took and the CPU both sides
    /// used meanwhile. The end is watched cheaply, so that the watching takes little from the measured sides: every
    /// 4 ms the cursors table (a row per address) is asked whether every recorded address's cursor has reached its
    /// newest signature; only then, or every 200 ms in case an address is not followed, are the stored transactions
    /// counted (a scan of the table).
    func indexOnce(_ indexer: Indexer, _ client: PostgresClient) async throws -> (Duration, ProcessCPU) {
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
               try await count(client, "SELECT count(*) FROM flutterbye.chain_transactions") >= recording.relevantCount {
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
            for try await line in try await client.query(PostgresQuery(unsafeSQL: "SELECT \(fields) FROM flutterbye.\(table)"), logger: logger).decode(String.self) {
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

/// Counts the replay server's calls per method.
final class CallCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func add(_ method: String, _ count: Int = 1) { lock.withLock { counts[method, default: 0] += count } }
    func snapshot() -> [String: Int] { lock.withLock { counts } }
}

/// The replay server's port, set once it listens.
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port = 0
    var value: Int { lock.withLock { port } }
    func set(_ value: Int) { lock.withLock { port = value } }
}
