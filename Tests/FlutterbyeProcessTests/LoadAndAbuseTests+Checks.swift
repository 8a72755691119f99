import ChainTestSupport
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import NIOHTTP1
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// What `LoadAndAbuseTests` checks after the load, each against an independent source: the chain's own accounts, the
/// database's event table, the local chain's count of calls.
extension LoadAndAbuseTests {
    /// Runs `body` with a client of the test's own cluster.
    static func withDatabase<Result: Sendable>(_ url: String, _ body: @Sendable (PostgresClient) async throws -> Result) async throws -> Result {
        let client = PostgresClient(configuration: try DatabaseConfiguration(url: url).clientConfiguration)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// Jobs not confirmed or finalized yet (a large number while the database cannot be read).
    static func unconfirmedJobs(_ url: String) async throws -> Int {
        do {
            return try await withDatabase(url) { client in
                let rows = try await client.query(
                    "SELECT count(*)::int8 FROM flutterbye.token_jobs WHERE state NOT IN ('confirmed', 'finalized')", logger: logger)
                for try await (count, ) in rows.decode((Int64,).self) { return Int(count) }
                return Int.max
            }
        } catch {
            return Int.max
        }
    }

    /// Each acknowledged key is one job in the database, confirmed, whose mint is a mint of its token program on chain
    /// and whose recipient's associated token account holds the job's amount (read from the accounts themselves).
    static func expectTokensOnChain(_ acknowledged: [String: Int64], databaseURL: String, rpc: SolanaRPCClient, recipients: [PublicKey]) async throws
    {
        let jobs = try await withDatabase(databaseURL) { client in
            var jobs: [String: (id: Int64, state: String, mint: String?, program: String, amount: String, recipient: String)] = [:]
            let rows = try await client.query(
                "SELECT idempotency_key::text, id, state, mint_address, token_program::text, amount::text, recipient FROM flutterbye.token_jobs",
                logger: logger)
            for try await (key, id, state, mint, program, amount, recipient) in rows.decode(
                (String, Int64, String, String?, String, String, String).self)
            {
                jobs[key] = (id, state, mint, program, amount, recipient)
            }
            return jobs
        }
        #expect(jobs.count == acknowledged.count, "every acknowledged key is one job, and no job was made without an answer")
        var expected: [(key: String, mint: PublicKey, account: PublicKey, program: PublicKey, amount: UInt64)] = []
        for (key, id) in acknowledged {
            guard let job = jobs[key] else {
                Issue.record("acknowledged job \(key) (\(id)) is not in the database")
                continue
            }
            #expect(job.id == id && ["confirmed", "finalized"].contains(job.state), "\(key): \(job)")
            guard let mintText = job.mint, let mint = try? PublicKey(base58: mintText), let wallet = try? PublicKey(base58: job.recipient),
                let amount = UInt64(job.amount)
            else {
                Issue.record("\(key) has no mint or a bad recipient/amount: \(job)")
                continue
            }
            let program = job.program == "token-2022" ? TokenProgram.token2022.programID : TokenProgram.token.programID
            let account = try AssociatedTokenAccountProgram.address(wallet: wallet, mint: mint, tokenProgram: program)
            expected.append((key, mint, account, program, amount))
        }
        for chunk in stride(from: 0, to: expected.count, by: 50).map({ Array(expected[$0..<min($0 + 50, expected.count)]) }) {
            let accounts = try await rpc.multipleAccounts(chunk.flatMap { [$0.mint, $0.account] })
            for (index, job) in chunk.enumerated() {
                let mint = accounts[2 * index]
                let holder = accounts[2 * index + 1]
                #expect(mint?.owner == job.program && (mint?.data.count ?? 0) >= 82, "\(job.key): the mint \(job.mint.base58) is not a mint on chain")
                let balance = holder.flatMap {
                    $0.data.count >= 72 ? $0.data[64..<72].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) } : nil
                }
                #expect(
                    holder?.owner == job.program && balance == job.amount,
                    "\(job.key): the recipient holds \(balance.map(String.init) ?? "nothing"), not \(job.amount)")
            }
        }
    }

    /// The job_state events in the database, as cursors, in the order a stream sends them.
    static func eventCursors(_ url: String) async throws -> [String] {
        try await withDatabase(url) { client in
            let rows = try await client.query(
                // e.xid, not xid: ORDER BY a bare name sorts by the output column (the text), 1000 before 728.
                "SELECT e.xid::text, e.id FROM flutterbye.events e WHERE e.kind = 'job_state' ORDER BY e.xid, e.id", logger: logger)
            var cursors: [String] = []
            for try await (xid, id) in rows.decode((String, Int64).self) { cursors.append("\(xid)-\(id)") }
            return cursors
        }
    }

    /// Follows the job events from the oldest, dropping the connection after a random number of events and resuming
    /// with the last cursor, until `target` (set once the load is over) is reached: every event it received.
    static func followResuming(port: Int, target: Shared<String?>) async -> [EventMessage] {
        let client = EventStreamClient(port: port, token: token)
        var received: [EventMessage] = []
        var cursor: String?
        var deadline = ContinuousClock.now + .seconds(900)
        var catchingUp = false
        while ContinuousClock.now < deadline {
            if let goal = target.withLock({ $0 }) {
                if goal.isEmpty { break }
                if let at = cursor.flatMap(EventCursor.init), let end = EventCursor(goal), at >= end { break }
                // Once the load is over, a stream has two minutes to catch up.
                if !catchingUp { (catchingUp, deadline) = (true, min(deadline, .now + .seconds(120))) }
            }
            let take = Int.random(in: 20...200)
            let last = target.withLock { $0 }
            let query = (cursor.map { "cursor=\($0)" } ?? "from=oldest") + "&kinds=job_state"
            do {
                let outcome = try await client.connect(query: query, token: token, abruptly: true, within: .seconds(3)) { messages in
                    let events = messages.filter { $0.type == "event" }
                    return events.count >= take || (last != nil && events.last?.cursor == last)
                }
                let events = outcome.messages.filter { $0.type == "event" }
                received += events
                if let newest = events.last?.cursor { cursor = newest }
            } catch {
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        return received
    }

    /// Each stream received exactly the database's events, in order, each once.
    static func expectStreamsExact(_ streams: [[EventMessage]], through target: String, databaseURL: String) async throws {
        // Up to the target: jobs confirmed by then go on to be finalized, events the streams were not asked to wait for.
        let all = try await eventCursors(databaseURL)
        let cursors = Array(all.prefix(through: all.firstIndex(of: target) ?? (all.count - 1)))
        if streams.contains(where: { !$0.map(\.cursor).starts(with: cursors) }) {
            // What holds events back: transactions with an id, and the snapshot.
            let activity = try await withDatabase(databaseURL) { client in
                let rows = try await client.query(
                    """
                    SELECT pg_current_snapshot()::text || ' | ' || coalesce(string_agg(pid::text || ' ' || coalesce(backend_xid::text, '-') || ' '
                        || coalesce(backend_xmin::text, '-') || ' ' || coalesce(state, '-') || ' ' || left(query, 60), ' || '), '')
                    FROM pg_stat_activity WHERE backend_xid IS NOT NULL OR backend_xmin IS NOT NULL
                    """, logger: logger)
                for try await (text, ) in rows.decode((String,).self) { return text }
                return ""
            }
            Issue.record("streams differ from the log; snapshot and transactions: \(activity)")
        }
        for (index, stream) in streams.enumerated() {
            // What a stream read past the target (it may, in the connection that reached it) is not compared.
            let got = Array(
                stream.map(\.cursor).prefix { cursor in
                    guard let at = EventCursor(cursor), let end = EventCursor(target) else { return true }
                    return at <= end
                })
            let twice = Dictionary(grouping: got, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
            let gotSet = Set(got)
            let cursorSet = Set(cursors)
            let missing = cursors.filter { !gotSet.contains($0) }
            let extra = got.filter { !cursorSet.contains($0) }
            let firstDifference = Array(zip(got, cursors)).firstIndex { $0.0 != $0.1 }
            #expect(
                got == cursors,
                "stream \(index) received \(got.count) events, the log holds \(cursors.count); twice: \(twice.prefix(5)), missing: \(missing.prefix(5)), not in the log: \(extra.prefix(5)), first out of order at \(firstDifference.map(String.init) ?? "none")"
            )
        }
    }

    /// A burst of scrapes costs no RPC call: the chain's count of calls while `scrapers` connections scrape for five
    /// seconds is no larger than in five quiet seconds (the worker and indexer poll the same in both), within slack.
    static func expectScrapesCostNoRPCCalls(scraper: LoadRequester, server: LocalChainServer, scrapers: Int) async throws {
        func calls() async throws -> Int {
            let state = try await server.controlState()
            let requests = (state["counters"] as? [String: Any])?["requests"] as? [String: Any] ?? [:]
            return requests.values.compactMap { ($0 as? NSNumber)?.intValue }.reduce(0, +)
        }
        let quietStart = try await calls()
        try await Task.sleep(for: .seconds(5))
        let quiet = try await calls() - quietStart
        let busyStart = try await calls()
        let scrapes = Shared(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            let end = ContinuousClock.now + .seconds(5)
            for _ in 0..<scrapers {
                group.addTask {
                    while ContinuousClock.now < end {
                        if await scraper.once(.GET, "/metrics", route: "GET /metrics (burst)")?.status == 200 { scrapes.withLock { $0 += 1 } }
                    }
                }
            }
            try await group.waitForAll()
        }
        let busy = try await calls() - busyStart
        #expect(scrapes.withLock { $0 } > 0)
        #expect(
            busy <= quiet + max(10, quiet / 2), "\(scrapes.withLock { $0 }) scrapes: \(busy) RPC calls, against \(quiet) in as long without scrapes")
    }
}
