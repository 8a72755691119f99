import Algorithms
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A `Tests/LocalChain/local_chain.py` started for one workload from the venv's Python, with `--exit-on-stdin-eof` so
/// that it never outlives the benchmark: the few JSON-RPC calls the harness makes itself (the payer's airdrop, the
/// landed transactions' slots afterwards) and its control API, which counts the JSON-RPC requests it gets by method,
/// over HTTP and over its PubSub WebSocket (its own requests are not counted).
final class LocalChainProcess: Sendable {
    /// The JSON-RPC endpoint (SOLANA_RPC_URL of the worker).
    let url: String
    /// The PubSub endpoint (SOLANA_WS_URL of the worker).
    let webSocketURL: String
    let slotMs: Int
    private let controlURL: String
    private let process: BenchmarkProcess

    /// Starts the chain with `slotMs` per slot and the script's default confirmation and finalization depths; its
    /// standard error goes to `log`. It is stopped with `processes.stopAll()` if not before.
    init(python: String, slotMs: Int, log: URL, processes: ChildProcesses) throws {
        let script = BenchmarkPaths.root.appendingPathComponent("Tests/LocalChain/local_chain.py").path
        let process = try BenchmarkProcess(
            python, [script, "--host", "127.0.0.1", "--port", "0", "--slot-ms", String(slotMs), "--exit-on-stdin-eof"], readyLine: true, log: log)
        processes.add(process, grace: .seconds(5))
        guard let ready = try? JSONSerialization.jsonObject(with: Data(process.readyLine.utf8)) as? [String: Any],
            let url = ready["url"] as? String, let control = ready["control"] as? String, let webSocketURL = ready["ws"] as? String
        else {
            processes.stop(process, within: .seconds(5))
            throw BenchmarkFailure("local_chain.py printed an unexpected first line: \(process.readyLine)")
        }
        self.process = process
        self.url = url
        self.webSocketURL = webSocketURL
        self.controlURL = control
        self.slotMs = slotMs
    }

    /// Stops the chain (SIGTERM; killed after 5 s).
    func stop(_ processes: ChildProcesses) { processes.stop(process, within: .seconds(5)) }

    // MARK: JSON-RPC

    /// Calls `method`: its `result`, or a failure naming the JSON-RPC error.
    func call(_ method: String, _ params: [Any] = []) async throws -> Any {
        let request: [String: Any] = ["jsonrpc": "2.0", "id": 1, "method": method, "params": params]
        guard let answer = try await post(url, request) as? [String: Any] else {
            throw BenchmarkFailure("\(method): the local chain's answer is not a JSON object")
        }
        if let error = answer["error"] { throw BenchmarkFailure("\(method): the local chain answered the error \(error)") }
        guard let result = answer["result"] else { throw BenchmarkFailure("\(method): the local chain's answer has no result") }
        return result
    }

    /// Airdrops `lamports` to `address` and waits (up to 10 s) until its processed balance shows them.
    func fund(_ address: String, lamports: UInt64) async throws {
        _ = try await call("requestAirdrop", [address, Int(lamports)])
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let balance = try await call("getBalance", [address, ["commitment": "processed"]]) as? [String: Any]
            if let value = balance?["value"] as? NSNumber, value.uint64Value >= lamports { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BenchmarkFailure("the payer's airdrop of \(lamports) lamports did not arrive within 10 s")
    }

    /// The slot each signature landed in (nil for one the chain does not know), from getSignatureStatuses with
    /// searchTransactionHistory, 256 at a time.
    func landedSlots(_ signatures: [String]) async throws -> [String: Int] {
        var slots: [String: Int] = [:]
        for chunk in signatures.chunks(ofCount: 256).map(Array.init) {
            let answer = try await call("getSignatureStatuses", [chunk, ["searchTransactionHistory": true]]) as? [String: Any]
            let values = answer?["value"] as? [Any] ?? []
            for (signature, value) in zip(chunk, values) {
                if let status = value as? [String: Any], let slot = status["slot"] as? NSNumber { slots[signature] = slot.intValue }
            }
        }
        return slots
    }

    // MARK: Control

    /// The control state: slot, block height and the counters (GET /control).
    func state() async throws -> ChainState {
        try ChainState(try await send(controlURL, method: .GET, body: nil))
    }

    /// Zeroes the counters (POST /control {"reset_counters": true}); the state after.
    @discardableResult
    func resetCounters() async throws -> ChainState {
        try ChainState(try await send(controlURL, method: .POST, body: ["reset_counters": true]))
    }

    // MARK: HTTP

    private func post(_ target: String, _ body: Any) async throws -> Any {
        try await send(target, method: .POST, body: body)
    }

    /// One request on a connection of its own ("Connection: close"): the local chain writes an answer's headers and
    /// body separately without TCP_NODELAY, so on a kept-alive connection each answer waits for a delayed ACK.
    private func send(_ target: String, method: HTTPMethod, body: Any?) async throws -> Any {
        var request = HTTPClientRequest(url: target)
        request.method = method
        request.headers.add(name: "Connection", value: "close")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 64 << 20)
        guard response.status == .ok else {
            throw BenchmarkFailure("the local chain answered HTTP \(response.status.code) to \(method) \(target): \(String(buffer: data))")
        }
        return try JSONSerialization.jsonObject(with: Data(data.readableBytesView), options: [.fragmentsAllowed])
    }
}

/// What GET /control reports: the chain's slot and block height, and its counters since the last reset.
struct ChainState: Sendable {
    var slot: Int
    var blockHeight: Int
    /// JSON-RPC requests by method (each call of a batch counts); those made over the PubSub WebSocket (subscribing and
    /// unsubscribing: providers count and bill them as calls too) as "<method> (ws)".
    var requests: [String: Int]
    /// Transactions: executed, succeeded, failed, dropped, not_landed, preflight_failed, airdrops, held.
    var transactions: [String: Int]

    var totalRequests: Int { requests.values.reduce(0, +) }

    init(_ json: Any) throws {
        guard let object = json as? [String: Any], let slot = object["slot"] as? NSNumber, let height = object["block_height"] as? NSNumber,
            let counters = object["counters"] as? [String: Any]
        else { throw BenchmarkFailure("GET /control answered an unexpected shape") }
        func numbers(_ key: String) -> [String: Int] {
            ((counters[key] as? [String: Any]) ?? [:]).compactMapValues { ($0 as? NSNumber)?.intValue }
        }
        self.slot = slot.intValue
        self.blockHeight = height.intValue
        self.requests = numbers("requests")
        let pubSub = (counters["pubsub"] as? [String: Any])?["requests"] as? [String: Any] ?? [:]
        for (method, count) in pubSub {
            if let count = (count as? NSNumber)?.intValue { requests["\(method) (ws)"] = count }
        }
        self.transactions = numbers("transactions")
    }
}
