import AsyncHTTPClient
import ChainTestSupport
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import SolanaCore
import Testing

/// The status page reconnects with the cursor of the last event it received. When the events after
/// that cursor were pruned while it was away (the service down, or the page's connection dropped, for longer than
/// FLUTTERBYE_EVENT_RETENTION_HOURS; with its kinds filter the page's cursor can also simply be older than the
/// retention), the server refused the upgrade (HTTP 400, which a browser sees only as a close with code 1006, never
/// the 1008 the page handles), so the page retried the same pruned cursor for ever and stayed "offline" until someone
/// reloaded it. The upgrade is now accepted and closed with 1008: the page starts again from now and reads the
/// tables again, as docs/status-api.md promises. Nothing reloads.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv, the test database and Chromium: run Tests/run"), .serialized)
struct StatusPagePrunedCursorTests {
    static let token = "ops-review-page-cursor-token-0123456789abcdef"
    let recipient = try! Keypair(seed: [UInt8](repeating: 132, count: 32)).publicKey

    @Test func aPageWhoseCursorWasPrunedWhileAwayComesBackLive() async throws {
        try #require(HeadlessChromium.executable != nil, "\(HeadlessChromium.missing)")
        let recipient = self.recipient
        try await WorkerTestEnvironment.with(database: "flutterbye_ops_review_page_cursor", fund: nil) { client, _, server in
            try await client.query("TRUNCATE flutterbye.events", logger: WorkerTestEnvironment.logger)
            try await client.query(
                "UPDATE flutterbye.event_log_horizon SET pruned_through_xid = '0', pruned_through_id = 0", logger: WorkerTestEnvironment.logger)
            let launcher = try WorkerProcessLauncher(
                command: "run", databaseURL: try WorkerProcessLauncher.testDatabaseURL("flutterbye_ops_review_page_cursor"),
                rpcURL: server.url, settings: ["API_TOKEN": Self.token, "FLUTTERBYE_API_PORT": "0", "SOLANA_WS_URL": "off"])
            launcher.arguments = ["--no-worker", "--no-indexer"]
            let service = try launcher.start("ops-review-page")
            defer { service.kill9() }
            let base = try await RunCommandTests().apiURL(service)
            launcher.set("FLUTTERBYE_API_PORT", String(base.split(separator: ":").last ?? "0"))
            let restarted = RestartedService()
            defer { restarted.worker?.kill9() }
            let queue = TokenJobQueue(client: client, logger: WorkerTestEnvironment.logger)
            let log = EventLog(client: client, logger: WorkerTestEnvironment.logger)
            let later = Date().addingTimeInterval(3600)

            let chromium = try await HeadlessChromium.launch(width: 1280, height: 1000)
            do {
                try await chromium.withPage { page in
                    try await page.navigate(to: base + "/")
                    try await StatusPageTests.signIn(page, Self.token)
                    #expect(try await page.waitUntil("document.getElementById('connection').dataset.state === 'live'", within: .seconds(120)))
                    // A job event reaches the page: its cursor is now that event's.
                    let first = try await queue.enqueue(StatusPageTestsSupport.job("ops-page-1", recipient: recipient, scheduledAt: later)).jobID
                    #expect(
                        try await page.waitUntil("document.querySelector('#job-rows tr[data-job-id=\"\(first)\"]')", within: .seconds(60)),
                        "the page never showed job \(first)")

                    // The service goes away; meanwhile more happens and the events are pruned (as the retention would).
                    #expect(await service.stopGracefully(), "\(service.tail())")
                    #expect(try await page.waitUntil("document.getElementById('connection').dataset.state === 'offline'", within: .seconds(90)))
                    let away = try await queue.enqueue(StatusPageTestsSupport.job("ops-page-away", recipient: recipient, scheduledAt: later)).jobID
                    _ = try await queue.cancel(jobID: away)
                    // Only readable events are pruned: wait until the cluster's older transactions have ended.
                    for _ in 0..<600 where try await log.events(after: .origin, limit: 10).count < 3 {
                        try await Task.sleep(for: .milliseconds(50))
                    }
                    let pruned = try await log.prune(occurredBefore: Date().addingTimeInterval(3600))
                    #expect(pruned >= 3, "pruned \(pruned) events")
                    // Every event the page could resume from is gone: the horizon is past all of them.
                    #expect(try await log.horizon() > .origin)

                    // The service comes back where the page expects it: the page should be live again by itself.
                    restarted.worker = try launcher.start("ops-review-page-restarted")
                    _ = try await RunCommandTests().apiURL(try #require(restarted.worker))
                    let live = try await page.waitUntil(
                        "document.getElementById('connection').dataset.state === 'live'", within: .seconds(120))
                    let shown = try await page.string("document.getElementById('connection').textContent")
                    #expect(live, "the page never came back live after its cursor was pruned; it shows '\(shown)'")
                    #expect(
                        try await page.waitUntil(
                            "document.querySelector('#job-rows tr[data-job-id=\"\(away)\"]') !== null", within: .seconds(live ? 60 : 1)),
                        "the job of the time away never appeared")
                }
            } catch {
                Issue.record("Chromium:\n\(chromium.tail())\nflutterbye run:\n\(service.tail(60))\nrestarted:\n\(restarted.worker?.tail(60) ?? "-")")
                await chromium.stop()
                throw error
            }
            await chromium.stop()
            if let again = restarted.worker { #expect(await again.stopGracefully(), "\(again.tail())") }
        }
    }
}
