import ArgumentParser
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO

/// `flutterbye-bench idle`: what the indexer costs in RPC calls while nothing happens, black-box: `flutterbye index`
/// with its default settings (PubSub on the chain's endpoint) follows an FLBY mint, the escrow and fee wallets and
/// their token accounts and N holders' accounts on a local chain; once everything is indexed and finalized, the chain
/// counts the calls it receives, by method, over a window of minutes. Several holder counts show how the cost grows.
struct IdleBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idle",
        abstract: "The indexer's RPC calls a minute while nothing happens, with its defaults, for several numbers of holders.",
        discussion: """
            For each holder count: a fresh Tests/LocalChain/local_chain.py, the accounts made by \
            Tests/LocalChain/flby_history.py --plain (the FLBY mint, the escrow and fee wallets with their associated \
            token accounts, each holder's associated account with FLBY in it: 5 + N followed addresses), a fresh \
            database with the schema applied by `flutterbye migrate`, and `flutterbye index` (the executable next to \
            this one) with only DATABASE_URL, SOLANA_RPC_URL, SOLANA_WS_URL (the chain's PubSub endpoint), \
            FLBY_TOKEN_MINT, MAINNET_ESCROW_WALLET, MAINNET_FEE_WALLET and FLUTTERBYE_LOG_LEVEL=warning set. Once \
            every address is followed, every transaction finalized and --warm-up-seconds have passed, the chain's \
            counters are reset and read again after --window-seconds. Then Tests/LocalChain/flby_transfers.py sends             --lag-transfers FLBY transfers between the holders, and each is timed from the chain's confirmation to its             row's indexed_at, in slots.
            """)

    @Option(help: "Holder counts, comma-separated (8: the mint, two wallets, their token accounts and eight holders, 13 addresses).")
    var holders = "8,16,32"

    @Option(help: "Seconds the calls are counted (the default sweep comes every 120 s).")
    var windowSeconds = 240

    @Option(help: "Seconds between the index being complete and the counting (subscriptions confirmed, the first sweep's calls made).")
    var warmUpSeconds = 60

    @Option(help: "FLBY transfers sent after the window, to time how many slots after the chain's confirmation each is indexed.")
    var lagTransfers = 40

    @Option(help: "Milliseconds between two of those transfers.")
    var lagIntervalMs = 1_000

    @Option(help: "The local chains' slot time (local_chain.py --slot-ms).")
    var slotMs = 400

    @OptionGroup var processOptions: ProcessBenchmarkOptions

    func holderCounts() throws -> [Int] {
        let counts = holders.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--holders must be positive numbers separated by commas, such as 8,16,32")
        }
        return counts.compactMap { $0 }
    }

    func validate() throws {
        guard windowSeconds >= 1, warmUpSeconds >= 0, slotMs >= 1, lagTransfers >= 0, lagIntervalMs >= 0 else {
            throw ValidationError(
                "--window-seconds and --slot-ms must be at least 1, --warm-up-seconds, --lag-transfers and --lag-interval-ms at least 0")
        }
        let counts = try holderCounts()
        if lagTransfers > 0, counts.contains(where: { $0 < 2 }) {
            throw ValidationError("the transfers after the window need at least 2 holders (or --lag-transfers 0)")
        }
    }

    func run() throws {
        let counts = try holderCounts()
        let interpreter = try BenchmarkPaths.python(processOptions.python)
        let binary = try processOptions.binary()
        try processOptions.withProcesses("idle") { logs, processes, server in
            say(
                "idle benchmark: holders \(counts.map(String.init).joined(separator: ", ")); a \(windowSeconds) s window after "
                    + "\(warmUpSeconds) s of warm-up; slots of \(slotMs) ms; PostgreSQL: \(server.kind); indexer: \(binary.path); logs in \(logs.path)"
            )
            let rig = IdleRig(
                server: server, python: interpreter, binary: binary, slotMs: slotMs, window: .seconds(windowSeconds),
                warmUp: .seconds(warmUpSeconds), lagTransfers: lagTransfers, lagInterval: .milliseconds(lagIntervalMs), processes: processes,
                logs: logs)
            var measured: [IdleFigure] = []
            for count in counts {
                let figure = try runBlocking { try await rig.measure(holders: count) }
                say(figure.line)
                measured.append(figure)
            }
            say(IdleFigure.summary(measured))
        }
    }
}

/// The calls an idle indexer made in one window.
struct IdleFigure: Sendable {
    var holders: Int
    var followed: Int
    var window: Duration
    var calls: [String: Int]
    /// For each transfer sent after the window, the slots from the chain's confirmation to its row.
    var lags: [Double]

    var total: Int { calls.values.reduce(0, +) }
    var perMinute: Double { Double(total) * 60 / window.seconds }

    var line: String {
        let methods = calls.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "  \(holders) holders, \(followed) followed addresses: \(total) calls in \(format(window.seconds, 0)) s = "
            + "\(format(perMinute, 1)) a minute (\(methods.isEmpty ? "none" : methods))" + lagText
    }

    var lagText: String {
        guard !lags.isEmpty else { return "" }
        let p50 = percentile(50, of: lags)
        let p95 = percentile(95, of: lags)
        return "\n    \(lags.count) transfers indexed, slots after the chain's confirmation: p50 \(format(p50, 2)), p95 \(format(p95, 2)), "
            + "max \(format(lags.max() ?? .nan, 2)) (target: p95 at most 1)"
    }

    /// Each count's rate a minute, and how it grows per followed address between the fewest and the most.
    static func summary(_ figures: [IdleFigure]) -> String {
        var lines = ["followed addresses | calls a minute"]
        lines += figures.map { "\($0.followed) | \(format($0.perMinute, 1))" }
        if let first = figures.min(by: { $0.followed < $1.followed }), let last = figures.max(by: { $0.followed < $1.followed }),
            last.followed > first.followed
        {
            let slope = (last.perMinute - first.perMinute) / Double(last.followed - first.followed)
            lines.append("growth: \(format(slope, 2)) calls a minute per followed address (\(first.followed) to \(last.followed))")
        }
        return lines.joined(separator: "\n")
    }
}
