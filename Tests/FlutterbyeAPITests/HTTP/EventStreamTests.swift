import ChainTestSupport
import FlutterbyeAPI
import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import NIOWebSocket
import PostgresNIO
import Testing

/// `GET /v1/events` over a real WebSocket (the live server, hummingbird-websocket's client) against real PostgreSQL:
/// resuming after a disconnect misses nothing and repeats nothing, while jobs and chain rows are written
/// concurrently; an event whose transaction commits late is not passed over; every refusal has its HTTP answer.
@Suite("Event stream over a WebSocket", .enabled(if: WorkerTestEnvironment.isAvailable, "needs the test database: run Tests/run"), .serialized)
struct EventStreamTests {
    static let logger = Logger(label: "EventStreamTests")
    static let token = StatusAPITests.token

    /// Runs `body` with the API live (server and event service) on database `name`, migrated and empty.
    func withEventAPI(
        database name: String, options: EventLogService.Options = .init(pollInterval: .milliseconds(200)),
        _ body: @Sendable (EventStreamClient, PostgresClient, TokenJobQueue, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await TestDatabase.withMigratedDatabase(
            name, truncating: "flutterbye.token_jobs, flutterbye.events, flutterbye.chain_transactions, flutterbye.chain_address_cursors CASCADE"
        ) { client, database in
            try await client.query(
                "UPDATE flutterbye.event_log_horizon SET pruned_through_xid = '0', pruned_through_id = 0", logger: Self.logger)
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            var configuration = StatusAPI.Configuration(apiTokens: [Self.token], cluster: StatusAPITests.cluster, events: options)
            // The test's HTTP client keeps one connection across the streams' waits, which on a loaded machine can
            // pass the server's idle timeout (60 s): the server would close it under the client ("I/O on closed
            // channel"). The idle close has tests of its own (ConnectionLimitsTests).
            configuration.connections.idleTimeout = .seconds(3600)
            let api = StatusAPI(
                configuration: configuration,
                queue: queue, index: IndexStore(client: client, logger: Self.logger), events: EventLog(client: client, logger: Self.logger),
                rpc: nil, metrics: nil, readiness: [], database: database, logger: Self.logger)
            let app = api.application(host: "127.0.0.1", port: 0, logger: Self.logger)
            try await app.test(.live) { http in
                try await body(EventStreamClient(port: try #require(http.port), token: Self.token), client, queue, http)
            }
        }
    }

    /// Every event of the log, in log order, as cursors.
    static func loggedCursors(_ client: PostgresClient) async throws -> [String] {
        var cursors: [String] = []
        for try await (transaction, sequence) in try await client.query(
            "SELECT e.xid::text, e.id FROM flutterbye.events e ORDER BY e.xid, e.id", logger: logger
        ).decode((String, Int64).self) {
            cursors.append("\(transaction)-\(sequence)")
        }
        return cursors
    }

    static func count(_ client: PostgresClient, _ query: PostgresQuery) async throws -> Int {
        for try await (value, ) in try await client.query(query, logger: logger).decode((Int64,).self) { return Int(value) }
        return 0
    }

    static func job(_ key: String) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token", decimals: 2, name: "Event \(key)", symbol: "EV", uri: "https://x/\(key)",
            amount: "100", recipient: StatusAPITests.recipient)
    }

    /// Writes one indexed transaction's rows as the indexer does (transaction, two FLBY movements, one fee-wallet
    /// row) in one database transaction, which waits `hold` before it commits.
    static func writeChainRows(_ client: PostgresClient, number: Int, hold: Duration) async throws {
        let signature = "sig-\(number)"
        try await client.withConnection { connection in
            try await connection.query("BEGIN", logger: logger)
            try await connection.query(
                "INSERT INTO flutterbye.chain_transactions (signature, slot, fee) VALUES (\(signature), \(Int64(number)), 5000)", logger: logger)
            try await connection.query(
                """
                INSERT INTO flutterbye.chain_flby_movements (signature, movement_index, instruction_index, kind, destination_account, amount)
                VALUES (\(signature), 0, 0, 'mint', 'acct', 18446744073709551615), (\(signature), 1, 1, 'burn', NULL, 7)
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO flutterbye.chain_wallet_activity (signature, wallet, address, slot, lamports_delta, flby_delta)
                VALUES (\(signature), 'fee', 'feewallet', \(Int64(number)), 5000, 0)
                """, logger: logger)
            try await Task.sleep(for: hold)
            try await connection.query("COMMIT", logger: logger)
        }
    }

    @Test(
        "a client that disconnects mid-stream and resumes from its cursor gets every event exactly once, in log order, while writers commit out of order"
    )
    func resumingMissesNothingAndRepeatsNothing() async throws {
        try await withEventAPI(database: "flutterbye_events_resume") { events, client, queue, _ in
            let producing = Shared(true)
            // The writers stop half-way until three sessions have ended, so that on a loaded machine the sessions
            // still come while there is writing left to do (a run where the writers finished during the first session
            // tested no resumption under writes).
            let sessions = Shared(0)
            let producers = Task {
                defer { producing.withLock { $0 = false } }
                try await withThrowingDiscardingTaskGroup { group in
                    // Jobs: enqueued, some claimed (running), some of those cancelled.
                    group.addTask {
                        for number in 0..<60 {
                            let result = try await queue.enqueue(Self.job("resume-\(number)"))
                            if number % 3 == 0 {
                                for job in try await queue.claim(workerID: "events-test", limit: 2, lease: .seconds(60)) where job.id % 2 == 0 {
                                    _ = try await queue.cancel(jobID: job.id)
                                }
                            }
                            _ = result
                            try await Task.sleep(for: .milliseconds(Int.random(in: 5...40)))
                        }
                    }
                    // Chain rows from two writers whose transactions stay open for different times, so that they commit
                    // in another order than they began (and took their sequence numbers).
                    for writer in 0..<2 {
                        group.addTask {
                            for number in stride(from: writer, to: 80, by: 2) {
                                if number / 2 == 20 {
                                    let deadline = ContinuousClock.now + .seconds(120)
                                    while sessions.withLock({ $0 }) < 3 && ContinuousClock.now < deadline {
                                        try await Task.sleep(for: .milliseconds(10))
                                    }
                                }
                                try await Self.writeChainRows(client, number: number, hold: .milliseconds(Int.random(in: 0...120)))
                            }
                        }
                    }
                }
            }

            var received: [EventMessage] = []
            var cursor: String?
            var session = 0
            // Sessions while the writers write: each takes a few events and goes, some by closing, some by failing.
            while producing.withLock({ $0 }) && session < 12 {
                let take = Int.random(in: 3...25)
                let query = cursor.map { "cursor=\($0)" } ?? "from=oldest"
                let outcome = try await events.connect(
                    query: query, abruptly: session % 2 == 1, within: .seconds(5)
                ) { messages in messages.count(where: { $0.type == "event" }) >= take }
                session += 1
                sessions.withLock { $0 = session }
                // A session cut off before its first message (a loaded machine) has nothing to resume from.
                guard let subscribed = outcome.messages.first else { continue }
                #expect(subscribed.type == "subscribed")
                if let cursor { #expect(subscribed.cursor == cursor, "a resumed stream starts after the cursor it was given") }
                let got = outcome.messages.dropFirst()
                #expect(got.allSatisfy { $0.type == "event" })
                received.append(contentsOf: got)
                cursor = received.last?.cursor ?? subscribed.cursor
            }
            try await producers.value
            let logged = try await Self.loggedCursors(client)
            let remaining = logged.count - received.count
            if remaining > 0 {
                let query = cursor.map { "cursor=\($0)" } ?? "from=oldest"
                let outcome = try await events.connect(query: query, within: .seconds(60)) { messages in
                    messages.count(where: { $0.type == "event" }) >= remaining
                }
                received.append(contentsOf: outcome.messages.dropFirst())
            }
            #expect(session >= 3, "too few sessions while the writers wrote")
            #expect(received.map(\.cursor) == logged, "received \(received.count) events, the log has \(logged.count)")
            #expect(Set(received.map(\.cursor)).count == received.count, "an event came twice")

            // Each change is in the log once: every enqueued job, every movement and wallet row.
            #expect(received.count(where: { $0.kind == "job_state" && $0.state == "available" && $0.previousState == nil }) == 60)
            #expect(
                received.count(where: { $0.kind == "job_state" && $0.state == "running" })
                    == (try await Self.count(client, "SELECT count(*) FROM flutterbye.token_jobs WHERE attempt > 0")))
            #expect(received.count(where: { $0.kind == "flby_movement" }) == 160)
            #expect(received.count(where: { $0.kind == "flby_movement" && $0.amount == "18446744073709551615" }) == 80)
            #expect(received.count(where: { $0.kind == "wallet_movement" }) == 80)
        }
    }

    @Test("an event whose transaction commits after a later one's is not passed over: neither is sent until both can be, then in log order")
    func aLateCommitIsNotPassedOver() async throws {
        try await withEventAPI(database: "flutterbye_events_order") { events, client, queue, _ in
            let opened = Shared(false)
            let release = AsyncStream<Void>.makeStream()
            // The first transaction takes its sequence number, then stays open.
            let early = Task {
                try await client.withConnection { connection in
                    try await connection.query("BEGIN", logger: Self.logger)
                    try await connection.query(
                        "SELECT * FROM flutterbye.enqueue_token_job('first-begun', 'token', 2, 'First', 'F', 'https://x/1', '1', \(StatusAPITests.recipient))",
                        logger: Self.logger)
                    opened.withLock { $0 = true }
                    for await _ in release.stream { break }
                    try await connection.query("COMMIT", logger: Self.logger)
                }
            }
            while !opened.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
            // A later transaction commits at once.
            _ = try await queue.enqueue(Self.job("committed-first"))
            let waiting = try await events.connect(query: "from=oldest", within: .seconds(3)) { _ in false }
            #expect(!waiting.messages.contains { $0.type == "event" }, "an event was sent while an older transaction was open")
            release.continuation.yield()
            try await early.value
            let outcome = try await events.connect(query: "from=oldest", within: .seconds(60)) { messages in messages.count >= 3 }
            #expect(outcome.messages.dropFirst().map(\.idempotencyKey) == ["first-begun", "committed-first"])
        }
    }

    @Test("a plain GET is told to upgrade; bad queries, missing tokens, pruned cursors and a full server are refused with their reasons")
    func refusalsOverHTTP() async throws {
        try await withEventAPI(database: "flutterbye_events_refusals", options: .init(pollInterval: .milliseconds(200), maxStreams: 1)) {
            events, client, queue, http in
            let auth: HTTPFields = [.authorization: "Bearer \(Self.token)"]
            func expectError(
                _ uri: String, headers: HTTPFields = auth, _ status: HTTPResponse.Status, _ code: String, field: String? = nil
            ) async throws {
                try await http.execute(uri: uri, method: .get, headers: headers) { (response: TestResponse) async throws in
                    #expect(response.status == status, "\(uri): \(String(buffer: response.body))")
                    let error = try StatusAPITests.error(response)
                    #expect(error.code == code, "\(uri)")
                    #expect(error.field == field, "\(uri)")
                }
            }
            try await expectError("/v1/events", .init(code: 426), "upgrade_required")
            try await expectError("/v1/events", headers: [:], .unauthorized, "unauthorized")
            try await expectError("/v1/events?cursor=12", .badRequest, "invalid_request", field: "cursor")
            try await expectError("/v1/events?cursor=1-2&from=oldest", .badRequest, "invalid_request", field: "from")
            try await expectError("/v1/events?from=newest", .badRequest, "invalid_request", field: "from")
            try await expectError("/v1/events?kinds=job_state,fills", .badRequest, "invalid_request", field: "kinds")
            try await expectError("/v1/events?since=1", .badRequest, "invalid_request", field: "since")
            // A parameter given twice was read as its first value.
            try await expectError("/v1/events?kinds=job_state&kinds=flby_movement", .badRequest, "invalid_request", field: "kinds")

            // The same refusals reach a WebSocket client as a failed upgrade.
            await #expect(throws: WebSocketClientError.webSocketUpgradeFailed) {
                _ = try await events.connect(query: "from=oldest", token: nil, within: .seconds(30)) { _ in true }
            }
            await #expect(throws: WebSocketClientError.webSocketUpgradeFailed) {
                _ = try await events.connect(query: "cursor=x", within: .seconds(30)) { _ in true }
            }

            // Pruning moves the horizon: a cursor before it is gone (410), one after it still resumes.
            _ = try await queue.enqueue(Self.job("old-1"))
            _ = try await queue.enqueue(Self.job("old-2"))
            let old = try await Self.loggedCursors(client)
            try #require(old.count == 2)
            let log = EventLog(client: client, logger: Self.logger)
            // Only readable events are pruned: wait until every transaction the cluster began before them has ended
            // (other suites' tests run beside this one, in other databases of the same cluster).
            for _ in 0..<600 where try await log.events(after: .origin, limit: 10).count < 2 {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await log.prune(occurredBefore: Date().addingTimeInterval(3600)) == 2)
            #expect(try await log.horizon().description == old[1])
            try await expectError("/v1/events?cursor=\(old[0])", .gone, "cursor_expired", field: "cursor")
            // Upgraded, then closed with 1008: a browser sees that close code, never a refused upgrade's status.
            let pruned = try await events.connect(query: "cursor=\(old[0])", within: .seconds(30)) { _ in true }
            #expect(pruned.messages.isEmpty && pruned.close?.closeCode == .policyViolation, "\(String(describing: pruned.close))")
            #expect(pruned.close?.reason?.contains("pruned") == true)
            _ = try await queue.enqueue(Self.job("new-1"))
            let resumed = try await events.connect(query: "cursor=\(old[1])", within: .seconds(60)) { $0.count >= 2 }
            #expect(resumed.messages.dropFirst().map(\.idempotencyKey) == ["new-1"])

            // kinds: only those kinds come.
            try await Self.writeChainRows(client, number: 1, hold: .zero)
            _ = try await queue.enqueue(Self.job("new-2"))
            let filtered = try await events.connect(query: "cursor=\(old[1])&kinds=wallet_movement", within: .seconds(60)) { $0.count >= 2 }
            #expect(filtered.messages.first?.kinds == ["wallet_movement"])
            #expect(filtered.messages.dropFirst().map(\.kind) == ["wallet_movement"])

            // One stream open (the limit here): the next is refused with 503 until it closes. The streams above have
            // closed on the client's side; the server may take a moment longer to see it.
            var room: HTTPResponse.Status = .serviceUnavailable
            for _ in 0..<100 where room == .serviceUnavailable {
                room = try await http.execute(uri: "/v1/events", method: .get, headers: auth) { (response: TestResponse) in response.status }
                if room == .serviceUnavailable { try await Task.sleep(for: .milliseconds(50)) }
            }
            let holding = Shared(false)
            let held = Task {
                try await events.connect(query: "from=latest", within: .seconds(60)) { _ in
                    holding.withLock { $0 = true }
                    return false
                }
            }
            for _ in 0..<3000 where !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
            guard holding.withLock({ $0 }) else {
                held.cancel()
                Issue.record("the first stream never opened: \(await held.result)")
                return
            }
            try await expectError("/v1/events", .serviceUnavailable, "too_many_streams")
            held.cancel()
            _ = try? await held.value
            // Once the server has seen the client go, a stream may open again.
            var answer: HTTPResponse.Status = .serviceUnavailable
            for _ in 0..<100 where answer == .serviceUnavailable {
                answer = try await http.execute(uri: "/v1/events", method: .get, headers: auth) { (response: TestResponse) in response.status }
                if answer == .serviceUnavailable { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(answer.code == 426)
        }
    }
}
