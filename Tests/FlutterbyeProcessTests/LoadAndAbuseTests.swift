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

/// `flutterbye run` under load and abuse at once, with PostgreSQL restarted in the middle: clients posting jobs (a
/// tenth of them repeats of an earlier key), readers paging `/v1/jobs`, event streams that disconnect and resume,
/// many connections scraping `/metrics`, and clients that send half a request and hold the connection. Nothing
/// answers 5xx but 503 with Retry-After while the database is down; every acknowledged job is created on chain once;
/// every stream receives each event exactly once; scrapes cost no RPC calls. Sizes from FLUTTERBYE_LOAD_* (the
/// defaults are CI's short run; docs/testing.md has the long run's figures).
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct LoadAndAbuseTests {
    static let logger = Logger(label: "LoadAndAbuseTests")
    static let token = "load-and-abuse-test-token-0123456789abcdef"

    struct Sizes {
        var jobs = 240, posters = 8, readers = 10, streams = 5, scrapers = 50, slowClients = 4
        /// Whether PostgreSQL is stopped for 3 s in the middle (FLUTTERBYE_LOAD_RESTART=0: not, and then no answer
        /// at all may be 5xx).
        var restart = true

        init() {
            let environment = ProcessInfo.processInfo.environment
            func read(_ name: String, _ value: inout Int) { if let text = environment[name], let number = Int(text), number > 0 { value = number } }
            read("FLUTTERBYE_LOAD_JOBS", &jobs)
            read("FLUTTERBYE_LOAD_READERS", &readers)
            read("FLUTTERBYE_LOAD_STREAMS", &streams)
            read("FLUTTERBYE_LOAD_SCRAPERS", &scrapers)
            read("FLUTTERBYE_LOAD_SLOW_CLIENTS", &slowClients)
            restart = environment["FLUTTERBYE_LOAD_RESTART"] != "0"
        }
    }

    @Test func everyAcknowledgedJobLandsOnceAndNothingAnswers5xxUnderLoadAbuseAndADatabaseRestart() async throws {
        let sizes = Sizes()
        let payer = try Keypair(seed: [UInt8](repeating: 101, count: 32))
        let recipients = try (0..<4).map { try Keypair(seed: [UInt8](repeating: UInt8(102 + $0), count: 32)).publicKey }
        let cluster = try await PostgresTestCluster.start()
        let server = try await LocalChainServer.start(slotMs: 40, confirmDepth: 1, finalizeDepth: 4)
        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(5), logger: Self.logger)
        _ = try await rpc.call("requestAirdrop", [.string(payer.publicKey.base58), .uint(2_000_000_000_000)], as: String.self)
        let launcher = try WorkerProcessLauncher(
            databaseURL: cluster.url, rpcURL: server.url, payer: payer, masterSeedHex: String(repeating: "5a", count: 32),
            settings: [
                "API_TOKEN": Self.token, "FLUTTERBYE_API_PORT": "0", "FLUTTERBYE_INDEX_POLL_MILLISECONDS": "500",
                "FLBY_TOKEN_MINT": try Keypair(seed: [UInt8](repeating: 109, count: 32)).publicKey.base58,
                "FLUTTERBYE_API_WRITE_BURST": "200", "FLUTTERBYE_API_WRITES_PER_SECOND": "2000",
                // Every scraper comes from 127.0.0.1: let them all through, to see what a scrape costs.
                "FLUTTERBYE_API_UNAUTHENTICATED_BURST": "100000", "FLUTTERBYE_API_UNAUTHENTICATED_PER_SECOND": "100000",
            ],
            command: "run")
        let process = try launcher.start("run")
        defer { process.kill9() }
        let base = try await RunCommandTests().apiURL(process)
        let port = try #require(URLComponents(string: base)?.port)
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: sizes.scrapers + sizes.readers + 16)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let ledger = LoadLedger()
        let api = LoadRequester(http: http, base: base, token: Self.token, ledger: ledger)
        let scraper = LoadRequester(http: http, base: base, token: nil, ledger: ledger)
        let stop = Shared(false)
        let acknowledged = Shared<[String: Int64]>([:])
        let postersDone = Shared(0)
        let target = Shared<String?>(nil)
        let streams = Shared<[[EventMessage]]>([])

        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Posters: every job once, then a tenth of the keys again (the same job, 200).
                for poster in 0..<sizes.posters {
                    group.addTask {
                        var mine: [(String, String)] = []
                        for index in stride(from: poster, to: sizes.jobs, by: sizes.posters) {
                            let key = "load-\(index)"
                            let body = """
                                {"idempotency_key": "\(key)", "token_program": "\(index % 3 == 0 ? "token-2022" : "token")", "decimals": \(index % 10),
                                 "name": "Load \(index)", "symbol": "LD", "uri": "https://flutterbye.example/\(index).json",
                                 "amount": "\(1_000 + index)", "recipient": "\(recipients[index % recipients.count].base58)"}
                                """
                            // A client that got no answer sends the same key again (it may have been enqueued).
                            var answer: LoadAnswer?
                            var unanswered = 0
                            while answer == nil && unanswered < 10 {
                                answer = await api.following(.POST, "/v1/jobs", body: body, route: "POST /v1/jobs")
                                if answer == nil { unanswered += 1 }
                            }
                            guard let answer else { continue }
                            if answer.status == 201 || (answer.status == 200 && (unanswered > 0 || answer.earlierAttempts > 0)),
                                let id = answer.json["id"] as? Int
                            {
                                acknowledged.withLock { $0[key] = Int64(id) }
                                mine.append((key, body))
                            } else {
                                ledger.problem("POST \(key): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
                            }
                            if index % 10 == 9, let (earlier, earlierBody) = mine.randomElement() {
                                let again = await api.following(.POST, "/v1/jobs", body: earlierBody, route: "POST /v1/jobs")
                                let id = acknowledged.withLock { $0[earlier] }
                                if again?.status != 200 || (again?.json["id"] as? Int).map(Int64.init) != id {
                                    ledger.problem("repeating \(earlier): \(again?.status ?? 0), not the same job \(id ?? -1)")
                                }
                            }
                        }
                        postersDone.withLock { $0 += 1 }
                    }
                }
                // Readers: page through /v1/jobs until told to stop.
                for _ in 0..<sizes.readers {
                    group.addTask {
                        var cursor: String?
                        while !stop.withLock({ $0 }) {
                            let path = "/v1/jobs?limit=50" + (cursor.map { "&cursor=\($0)" } ?? "")
                            guard let page = await api.following(.GET, path, route: "GET /v1/jobs") else { continue }
                            cursor = page.status == 200 ? page.json["next_cursor"] as? String : nil
                        }
                    }
                }
                // Scrapers: /metrics (no token) over many connections.
                for _ in 0..<sizes.scrapers {
                    group.addTask {
                        while !stop.withLock({ $0 }) {
                            _ = await scraper.once(.GET, "/metrics", route: "GET /metrics")
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                    }
                }
                // Clients that send half a request and hold the connection: the server must close them.
                for _ in 0..<sizes.slowClients {
                    group.addTask {
                        do {
                            let half = try await RawHTTPConnection.open(port: port)
                            try await half.send("GET /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                            if await half.waitForClose(within: .seconds(90)) != .closed {
                                ledger.problem("a connection that sent half its request headers was still open after 90 s")
                            }
                        } catch {
                            ledger.problem("a client sending half a request could not connect: \(error)")
                        }
                    }
                }
                // Event streams that drop their connection now and then and resume with their cursor.
                for _ in 0..<sizes.streams {
                    group.addTask {
                        let received = await Self.followResuming(port: port, target: target)
                        streams.withLock { $0.append(received) }
                    }
                }
                // The database goes away once, when half the jobs are acknowledged.
                if sizes.restart {
                    group.addTask {
                        while acknowledged.withLock({ $0.count }) < sizes.jobs / 2 {
                            if stop.withLock({ $0 }) || postersDone.withLock({ $0 }) == sizes.posters { return }
                            try await Task.sleep(for: .milliseconds(50))
                        }
                        try await cluster.halt()
                        try await Task.sleep(for: .seconds(3))
                        try await cluster.resume()
                    }
                }
                // Every job confirmed, then the readers and scrapers stop.
                group.addTask {
                    // 600 s for CI's size; a long run gets a fifth of a second more per job.
                    let deadline = ContinuousClock.now + .seconds(max(600, sizes.jobs / 5))
                    var running = true
                    while ContinuousClock.now < deadline {
                        try await Task.sleep(for: .seconds(1))
                        running = process.process.isRunning
                        guard running else { break }
                        let done = postersDone.withLock { $0 } == sizes.posters
                        if done, try await Self.unconfirmedJobs(cluster.url) == 0 { break }
                    }
                    stop.withLock { $0 = true }
                    guard running else {
                        ledger.problem("flutterbye run ended under load:\n\(process.tail(60))")
                        target.withLock { $0 = "" }
                        return
                    }
                    // The streams catch up to the log's newest event, then stop.
                    let cursors = try await Self.eventCursors(cluster.url)
                    target.withLock { $0 = cursors.last ?? "" }
                }
                try await group.waitForAll()
            }
            let report = ledger.report
            #expect(report.problems.isEmpty, "\(report.problems.prefix(20))\n\(process.tail(40))")
            #expect(acknowledged.withLock { $0.count } == sizes.jobs)
            if sizes.restart {
                #expect(ledger.unavailableWithRetryAfter > 0, "no client saw 503 with Retry-After while the database was down: \(report.statuses)")
            } else {
                let serverErrors = report.statuses.values.flatMap { $0.filter { $0.key >= 500 } }
                #expect(serverErrors.isEmpty, "5xx answers without a restart: \(report.statuses)")
            }
            let latencies = report.postLatencies
            print(
                "load: \(sizes.jobs) jobs; POST /v1/jobs p50 \(Int(LoadLedger.percentile(latencies, 50) * 1000)) ms, p99 \(Int(LoadLedger.percentile(latencies, 99) * 1000)) ms; answers \(report.statuses)"
            )
            try await Self.expectTokensOnChain(acknowledged.withLock { $0 }, databaseURL: cluster.url, rpc: rpc, recipients: recipients)
            try await Self.expectStreamsExact(streams.withLock { $0 }, through: target.withLock { $0 } ?? "", databaseURL: cluster.url)
            try await Self.expectScrapesCostNoRPCCalls(scraper: scraper, server: server, scrapers: sizes.scrapers)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        #expect(await process.stopGracefully(), "\(process.tail())")
    }
}
