import AsyncHTTPClient
import ChainTestSupport
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// `flutterbye run`: the indexer, the token worker and the status API in one process. A job enqueued over HTTP is
/// created on the local chain and reads back confirmed, with its explorer link; SIGTERM stops everything with
/// status 0. A configuration with several problems is refused naming each of them.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct RunCommandTests {
    static let logger = Logger(label: "RunCommandTests")
    static let token = "run-command-test-token-0123456789abcdef"
    let payer = try! Keypair(seed: [UInt8](repeating: 91, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 92, count: 32)).publicKey

    /// Waits until `worker`'s log says where the status API listens; returns its base URL.
    func apiURL(_ worker: WorkerProcessLauncher.Worker, seconds: Int = 60) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let log = worker.tail(200)
            if let range = log.range(of: "url=http://127.0.0.1:") {
                let port = log[range.upperBound...].prefix { $0.isNumber }
                if !port.isEmpty { return "http://127.0.0.1:\(port)" }
            }
            guard worker.process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the status API did not start:\n\(worker.tail())")
        throw CancellationError()
    }

    func send(_ http: HTTPClient, _ method: HTTPMethod, _ url: String, body: String? = nil) async throws -> (status: Int, json: [String: Any]) {
        let answer = try await StatusAPIRequest.send(http, method, url, token: Self.token, body: body)
        let json = (try? JSONSerialization.jsonObject(with: Data(answer.text.utf8)) as? [String: Any]) ?? [:]
        return (answer.status, json)
    }

    @Test func oneProcessServesTheAPIRunsTheWorkerAndTheIndexerAndStopsOnSIGTERM() async throws {
        let payer = self.payer
        let recipient = self.recipient
        let flbyMint = try Keypair(seed: [UInt8](repeating: 93, count: 32)).publicKey
        let started = Date()
        try await WorkerTestEnvironment.with(database: "flutterbye_run_test", fund: payer.publicKey) { client, rpc, server in
            let launcher = try WorkerProcessLauncher(
                databaseURL: try WorkerProcessLauncher.testDatabaseURL("flutterbye_run_test"), rpcURL: server.url, payer: payer,
                masterSeedHex: String(repeating: "7e", count: 32),
                settings: [
                    "API_TOKEN": Self.token, "FLUTTERBYE_API_PORT": "0",
                    "FLBY_TOKEN_MINT": flbyMint.base58,
                    "FLUTTERBYE_INDEX_POLL_MILLISECONDS": "200",
                ],
                command: "run")
            let process = try launcher.start("run")
            defer { process.kill9() }
            let base = try await apiURL(process)
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let body = """
                    {"idempotency_key": "run-1", "token_program": "token", "decimals": 2, "name": "Run", "symbol": "RUN",
                     "uri": "https://flutterbye.example/run.json", "amount": "4200", "recipient": "\(recipient.base58)"}
                    """
                let created = try await send(http, .POST, base + "/v1/jobs", body: body)
                #expect(created.status == 201, "\(created.json)")
                let id = try #require(created.json["id"] as? Int)
                var job: [String: Any] = [:]
                let deadline = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < deadline {
                    job = try await send(http, .GET, base + "/v1/jobs/\(id)").json
                    if ["confirmed", "finalized"].contains(job["state"] as? String) { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(["confirmed", "finalized"].contains(job["state"] as? String), "\(job)\n\(process.tail())")
                let signature = try #require(job["signature"] as? String)
                #expect(job["explorer_url"] as? String == "https://explorer.solana.com/tx/\(signature)?cluster=custom")
                let landed = try await rpc.signatureStatuses([try Signature(base58: signature)])
                #expect(landed.first??.succeeded == true)
                let ready = try await send(http, .GET, base + "/readyz")
                #expect(ready.status == 200, "\(ready.json)")
                // Prometheus metrics from every part: the RPC client's requests by method, the job's confirmation
                // latency (in buckets up to 30 minutes, which ops/grafana's p95 reads), jobs by state, the oldest
                // waiting job's age, the configured mint's index lag.
                // The gauges read from the database and the chain are refreshed every few seconds, not by the scrape.
                let expectations = [
                    "solana_rpc_request_duration_seconds_bucket{method=\"sendTransaction\"", "flutterbye_job_confirmation_seconds_count 1",
                    "flutterbye_job_confirmation_seconds_bucket{le=\"1800.0\"} 1", "flutterbye_oldest_waiting_job_age_seconds ",
                    "flutterbye_oldest_unfinalized_confirmation_age_seconds ",
                    "flutterbye_index_lag_slots{role=\"mint\"",
                ]
                // The job may have been finalized meanwhile.
                func jobCounted(_ text: String) -> Bool {
                    text.contains("flutterbye_jobs{state=\"confirmed\"} 1") || text.contains("flutterbye_jobs{state=\"finalized\"} 1")
                }
                var text = ""
                let metricsDeadline = ContinuousClock.now + .seconds(30)
                repeat {
                    var request = HTTPClientRequest(url: base + "/metrics")
                    request.method = .GET
                    let metrics = try await http.execute(request, timeout: .seconds(10))
                    #expect(metrics.status == .ok)
                    text = String(buffer: try await metrics.body.collect(upTo: 1 << 20))
                    if expectations.allSatisfy(text.contains) && jobCounted(text) { break }
                    try await Task.sleep(for: .milliseconds(500))
                } while ContinuousClock.now < metricsDeadline
                for expected in expectations {
                    #expect(text.contains(expected), "/metrics lacks \(expected):\n\(text)")
                }
                #expect(jobCounted(text), "\(text)")
                // The configured mint was polled to its head during this test (the index's lag in seconds).
                let caughtUp = "flutterbye_index_caught_up_timestamp_seconds{role=\"mint\",address=\"\(flbyMint.base58)\"} "
                let caughtUpAt = text.split(separator: "\n").first { $0.hasPrefix(caughtUp) }.flatMap { Double($0.dropFirst(caughtUp.count)) }
                #expect(
                    caughtUpAt.map { $0 >= started.timeIntervalSince1970 && $0 <= Date().timeIntervalSince1970 } == true, "\(text)")
                // The indexer runs too: it has followed the configured mint.
                let cursors = try await client.query(
                    "SELECT count(*)::int8 FROM flutterbye.chain_address_cursors WHERE role = 'mint'", logger: Self.logger)
                var mints = 0
                for try await (count, ) in cursors.decode((Int64,).self) { mints = Int(count) }
                #expect(mints == 1, "\(process.tail())")
                // The event stream: the job's life from its enqueueing to its confirmation.
                let events = EventStreamClient(port: try #require(URLComponents(string: base)?.port), token: Self.token)
                // An event is readable once every transaction the cluster began before it has ended: other suites on the
                // same cluster hold transactions open on purpose (EventStreamTests' late commit), longer than 20 s on a
                // loaded CI machine, where twice only the subscription came within 20 s.
                let history = try await events.connect(query: "from=oldest&kinds=job_state", token: Self.token, within: .seconds(120)) { messages in
                    messages.contains { $0.jobID == Int64(id) && $0.state == "confirmed" }
                }
                let states = history.messages.filter { $0.jobID == Int64(id) }.compactMap(\.state)
                #expect(
                    Array(states.prefix(2)) == ["available", "running"] && states.contains("confirmed"), "\(history.messages)\n\(process.tail())")
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
            // SIGTERM with a stream open: the stream is closed (the client resumes elsewhere) and the process ends.
            let events = EventStreamClient(port: try #require(URLComponents(string: base)?.port), token: Self.token)
            let open = Shared(false)
            let stream = Task {
                try await events.connect(query: "from=latest", token: Self.token, within: .seconds(30)) { _ in
                    open.withLock { $0 = true }
                    return false
                }
            }
            while !open.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
            #expect(await process.stopGracefully(), "SIGTERM must stop every part with status 0:\n\(process.tail())")
            let ended = try await stream.value
            #expect(ended.close != nil, "the server did not close the event stream on SIGTERM")
        }
    }

    /// Runs `flutterbye <arguments>` with exactly `environment`; returns its exit status and output.
    static func runFlutterbye(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = WorkerProcessLauncher.binary
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }
        let (status, output) = try await ChildProcess.run(process)
        return (status, String(decoding: output, as: UTF8.self))
    }

    /// A chain that reports mainnet's genesis hash: `run`, `config check`, `worker` and `index` refuse the demo's
    /// identity, a short token and a development switch (those of the parts they run), naming each; on a local chain
    /// the same settings are accepted.
    @Test func productionModeRefusesUnsafeSettingsOnMainnet() async throws {
        let mainnet = try await LocalChainServer.start(arguments: ["--genesis-hash", "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d"])
        let local = try await LocalChainServer.start()
        let demoPayer = try Keypair(seed: [UInt8](repeating: 0xD3, count: 32))
        var environment = [
            "DATABASE_URL": "postgres://flutterbye@127.0.0.1:1/flutterbye", "SOLANA_RPC_URL": mainnet.url.absoluteString,
            "SOLANA_PRIVATE_KEY": Base58.encode(demoPayer.exportSecretKey()), "FLUTTERBYE_MASTER_SEED": String(repeating: "d3", count: 32),
            "FLBY_TOKEN_MINT": "CRqft4ezes93aTpGML4G1REU3aXHKkMzuPp4ZLBWCFev", "API_TOKEN": "only-twenty-chars-xx", "FLUTTERBYE_DEV_AIRDROP": "1",
        ]
        let everything = [
            "production mode", "fee payer is the demo's", "FLUTTERBYE_MASTER_SEED is the demo's", "API_TOKEN", "FLUTTERBYE_DEV_AIRDROP",
            "MAINNET_PROGRAM_ID is not set", "MAINNET_ESCROW_WALLET is not set", "MAINNET_FEE_WALLET is not set",
            "the mint authority is the fee payer",
        ]
        let cases: [([String], [String])] = [
            (["run"], everything), (["config", "check"], everything),
            (
                ["worker"],
                [
                    "production mode", "fee payer is the demo's", "FLUTTERBYE_MASTER_SEED is the demo's", "FLUTTERBYE_DEV_AIRDROP",
                    "the mint authority is the fee payer",
                ]
            ),
            (
                ["index"],
                [
                    "production mode", "FLUTTERBYE_DEV_AIRDROP", "MAINNET_PROGRAM_ID is not set", "MAINNET_ESCROW_WALLET is not set",
                    "MAINNET_FEE_WALLET is not set",
                ]
            ),
        ]
        for (command, expectations) in cases {
            let (status, output) = try await Self.runFlutterbye(command, environment: environment)
            #expect(status == 1, "\(command): \(output)")
            for expected in expectations {
                #expect(output.contains(expected), "\(command) names \(expected):\n\(output)")
            }
            #expect(!output.contains("only-twenty-chars-xx") && !output.contains(environment["SOLANA_PRIVATE_KEY"]!), "no secret printed")
        }
        // A configuration with a problem of its own (no FLBY_TOKEN_MINT) names the MainNet addresses in the same run.
        var incomplete = environment
        incomplete["FLBY_TOKEN_MINT"] = nil
        for command in [["config", "check"], ["index"]] {
            let (status, output) = try await Self.runFlutterbye(command, environment: incomplete)
            #expect(status == 1, "\(command): \(output)")
            for expected in ["FLBY_TOKEN_MINT", "MAINNET_PROGRAM_ID is not set", "MAINNET_ESCROW_WALLET is not set", "MAINNET_FEE_WALLET is not set"]
            {
                #expect(output.contains(expected), "\(command) names \(expected) at once:\n\(output)")
            }
        }
        environment["SOLANA_RPC_URL"] = local.url.absoluteString
        incomplete["SOLANA_RPC_URL"] = local.url.absoluteString
        let (localStatus, localOutput) = try await Self.runFlutterbye(["config", "check"], environment: incomplete)
        #expect(localStatus == 1 && localOutput.contains("FLBY_TOKEN_MINT"), "\(localOutput)")
        #expect(!localOutput.contains("MAINNET_PROGRAM_ID"), "off mainnet the MainNet addresses are not asked for:\n\(localOutput)")
        let (status, output) = try await Self.runFlutterbye(["config", "check"], environment: environment)
        #expect(status == 0, "\(output)")
        #expect(output.contains("configuration usable: indexer, worker, api on custom"), "\(output)")
    }

    @Test func everyConfigurationProblemIsNamedAtOnce() async throws {
        let process = Process()
        process.executableURL = WorkerProcessLauncher.binary
        process.arguments = ["run"]
        process.environment = ["PATH": "/usr/bin:/bin", "API_TOKEN": "short", "FLUTTERBYE_API_PORT": "99999"]
        let (status, output) = try await ChildProcess.run(process)
        let text = String(decoding: output, as: UTF8.self)
        #expect(status != 0)
        for expected in ["DATABASE_URL", "SOLANA_RPC_URL", "FLBY_TOKEN_MINT", "FLUTTERBYE_MASTER_SEED", "API_TOKEN", "FLUTTERBYE_API_PORT"] {
            #expect(text.contains(expected), "the refusal names \(expected):\n\(text)")
        }
        #expect(!text.contains("short,") && !text.contains("'short'"), "a token is never printed:\n\(text)")
    }
}
