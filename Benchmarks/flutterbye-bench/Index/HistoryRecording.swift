import FlutterbyeIndexer
import Foundation
import Logging
import SolanaCore
import SolanaRPC

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
            python,
            [
                root.appendingPathComponent("Tests/LocalChain/local_chain.py").path, "--port", "0", "--slot-ms", "20", "--finalize-depth", "4",
                "--exit-on-stdin-eof",
            ], readyLine: true)
        defer { chain.stop() }
        let readyObject = try JSONSerialization.jsonObject(with: Data(chain.readyLine.utf8)) as? [String: Any]
        guard let url = readyObject?["url"] as? String else { throw BenchmarkFailure("local_chain.py printed \(chain.readyLine)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flby-bench-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("expected.json")
        let generator = try BenchmarkProcess(
            python,
            [
                root.appendingPathComponent("Tests/LocalChain/flby_history.py").path, "--rpc", url, "--setup-out",
                directory.appendingPathComponent("setup.json").path, "--out", out.path, "--count", String(count), "--seed", String(seed),
            ],
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
            let filters: [JSONValue] =
                [
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
                    [
                        .string(wallet), .object(["programId": .string(program.base58)]),
                        .object(["encoding": .string("base64"), "commitment": .string("confirmed")]),
                    ], as: JSONValue.self)
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
                chunk.map {
                    (
                        "getTransaction",
                        [
                            .string($0),
                            .object(["encoding": .string("base64"), "commitment": .string("confirmed"), "maxSupportedTransactionVersion": .int(0)]),
                        ]
                    )
                },
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
}
