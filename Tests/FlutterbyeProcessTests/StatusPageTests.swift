import AsyncHTTPClient
import ChainTestSupport
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import NIOHTTP1
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// The status page in a real browser: headless Chromium loads `GET /` of `flutterbye run` on the local chain, the
/// operator enters the token, and without a reload the page follows a job to `confirmed`, cancels and retries jobs
/// by its buttons and shows an FLBY movement the indexer found. The token stays out of the URL, the served HTML and
/// the service's log; nothing breaks the page's Content-Security-Policy. When the service restarts, the page reconnects
/// by itself and shows what changed while the service was away. A screenshot is kept in
/// `.build/artifacts/status-page.png` (docs/status-page.png is a copy).
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv, the test database and Chromium: run Tests/run"), .serialized)
struct StatusPageTests {
    static let token = "status-page-test-token-0123456789abcdef"
    /// A job name a browser would run as HTML if the page put it in as HTML.
    static let hostileName = "<img src=x onerror=alert(1)>"
    let payer = try! Keypair(seed: [UInt8](repeating: 111, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 112, count: 32)).publicKey

    /// Where the screenshot goes.
    static let screenshot = Repository.root.appendingPathComponent(".build/artifacts/status-page.png")

    /// Run before the page's own scripts in every document: a record of Content-Security-Policy violations.
    static let watchViolations = """
        window.__violations = [];
        document.addEventListener('securitypolicyviolation', function (e) { window.__violations.push(e.violatedDirective + ' ' + e.blockedURI); });
        """

    /// Records, for each job row, every state it showed (a row is redrawn at each event).
    static let recordStates = """
        window.__statesSeen = {};
        (function () {
          function record() {
            for (const row of document.querySelectorAll('#job-rows tr')) {
              const seen = window.__statesSeen[row.dataset.jobId] || (window.__statesSeen[row.dataset.jobId] = []);
              if (seen[seen.length - 1] !== row.dataset.state) seen.push(row.dataset.state);
            }
          }
          new MutationObserver(record).observe(document.getElementById('job-rows'), {childList: true, subtree: true, attributes: true});
          record();
        })();
        true
        """

    static func seen(_ id: Int64, _ state: String) -> String {
        "(window.__statesSeen['\(id)'] || []).includes('\(state)')"
    }

    static func row(_ id: Int64) -> String { "document.querySelector('#job-rows tr[data-job-id=\"\(id)\"]')" }

    @Test func thePageFollowsJobsLiveCancelsAndRetriesThemAndKeepsTheTokenOutOfURLs() async throws {
        try #require(HeadlessChromium.executable != nil, "\(HeadlessChromium.missing)")
        let payer = self.payer
        let recipient = self.recipient
        try await WorkerTestEnvironment.with(database: "flutterbye_status_page_test", fund: payer.publicKey) { client, rpc, server in
            // The FLBY the indexer follows: a mint of the test's own, minted into later while the page is open.
            let flby = try await FlbyActivity.create(rpc)
            let launcher = try WorkerProcessLauncher(
                databaseURL: try WorkerProcessLauncher.testDatabaseURL("flutterbye_status_page_test"), rpcURL: server.url, payer: payer,
                masterSeedHex: String(repeating: "6f", count: 32),
                settings: [
                    "API_TOKEN": Self.token, "FLUTTERBYE_API_PORT": "0", "FLBY_TOKEN_MINT": flby.mint.publicKey.base58,
                    "FLUTTERBYE_INDEX_POLL_MILLISECONDS": "200", "FLUTTERBYE_LOG_LEVEL": "debug",
                ],
                command: "run")
            let service = try launcher.start("status-page")
            defer { service.kill9() }
            let base = try await RunCommandTests().apiURL(service)
            let queue = TokenJobQueue(client: client, logger: WorkerTestEnvironment.logger)
            // The restarted service listens where the page expects it.
            launcher.set("FLUTTERBYE_API_PORT", String(base.split(separator: ":").last ?? "0"))
            let restarted = RestartedService()
            defer { restarted.worker?.kill9() }
            let chromium = try await HeadlessChromium.launch(width: 1280, height: 1100)
            do {
                try await chromium.withPage { page in
                    try await Self.drive(page, base: base, queue: queue, client: client, rpc: rpc, flby: flby, recipient: recipient)
                    try await Self.reconnect(page, queue: queue, recipient: recipient) {
                        #expect(await service.stopGracefully(), "\(service.tail())")
                    } start: {
                        restarted.worker = try launcher.start("status-page-restarted")
                    }
                }
            } catch {
                Issue.record(
                    "Chromium:\n\(chromium.tail())\nflutterbye run:\n\(service.tail(60))\nrestarted:\n\(restarted.worker?.tail(60) ?? "-")")
                await chromium.stop()
                throw error
            }
            await chromium.stop()
            let again = try #require(restarted.worker)
            // The served HTML never holds a token; the services' logs (at debug) never show it, plain or encoded.
            let html = try await StatusAPIRequest.send(HTTPClient.shared, .GET, base + "/", token: "")
            #expect(html.status == 200 && !html.text.contains(Self.token))
            #expect(await again.stopGracefully(), "\(again.tail())")
            let encoded = Data(Self.token.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
            for worker in [service, again] {
                let log = (try? String(contentsOf: worker.log, encoding: .utf8)) ?? ""
                #expect(log.contains("event stream opened"), "the log is the service's: \(worker.tail())")
                #expect(!log.contains(Self.token) && !log.contains(encoded), "the token is in the service's log \(worker.log.lastPathComponent)")
            }
        }
    }

    static func drive(
        _ page: DevToolsPage, base: String, queue: TokenJobQueue, client: PostgresClient, rpc: SolanaRPCClient, flby: FlbyActivity,
        recipient: PublicKey
    ) async throws {
        try await page.send("Page.addScriptToEvaluateOnNewDocument", ["source": .string(watchViolations)])
        try await page.navigate(to: base + "/")
        let navigations = page.events(named: "Page.frameNavigated").count
        // A marker on the window: a reload would lose it.
        let marker = "loaded-\(UUID())"
        try await page.evaluate("window.__marker = \(DevToolsPage.literal(marker)); true")
        #expect(try await page.evaluate("!document.getElementById('sign-in').hidden && document.getElementById('status').hidden") == .bool(true))

        // A wrong token is refused and forgotten.
        try await signIn(page, "wrong-token-0123456789abcdef")
        #expect(try await page.waitUntil("document.getElementById('sign-in-error').textContent.includes('refused')", within: .seconds(90)))
        #expect(
            try await page.evaluate("sessionStorage.getItem('flutterbye.apiToken') === null && !document.getElementById('sign-in').hidden")
                == .bool(true))

        // Sign in as an operator does.
        try await signIn(page, token)
        #expect(try await page.waitUntil("document.getElementById('connection').dataset.state === 'live'", within: .seconds(120)))
        #expect(try await page.waitUntil("document.querySelectorAll('#queue-states .tile').length === 8", within: .seconds(90)))
        // Kept in session storage; in no URL, not in the document, not left in the field, no cookie.
        #expect(try await page.evaluate("sessionStorage.getItem('flutterbye.apiToken')") == .string(token))
        let encoded = Base64URL.encode(token)
        for expression in [
            "location.href", "document.documentElement.outerHTML", "document.getElementById('token-input').value", "document.cookie",
            "JSON.stringify(performance.getEntries().map(function (e) { return e.name; }))",
        ] {
            let text = try await page.string(expression)
            #expect(!text.contains(token) && !text.contains(encoded), "\(expression) shows the token")
        }
        #expect(try await page.string("location.href") == base + "/")
        try await page.evaluate(recordStates)

        // A job enqueued over the API appears and reaches confirmed on the page, drawn from the event stream.
        let body = """
            {"idempotency_key": "page-1", "token_program": "token", "decimals": 2, "name": "\(hostileName)", "symbol": "PAGE",
             "uri": "https://flutterbye.example/page.json", "amount": "4200", "recipient": "\(recipient.base58)"}
            """
        let created = try await StatusAPIRequest.send(HTTPClient.shared, .POST, base + "/v1/jobs", token: token, body: body)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(try await queue.job(idempotencyKey: "page-1")?.id)
        let confirmed = try await page.waitUntil(seen(id, "confirmed"), within: .seconds(180))
        let shown = try await page.string("JSON.stringify(window.__statesSeen)")
        #expect(confirmed, "states shown: \(shown)")
        // The chain has the transaction the page links to.
        let job = try await queue.job(id: id)
        let signature = try #require(job.signature)
        #expect(try await rpc.signatureStatuses([try Signature(base58: signature)]).first??.succeeded == true)
        #expect(
            try await page.waitUntil("\(row(id)).querySelector('a').href.includes(\(DevToolsPage.literal(signature)))", within: .seconds(90)))
        // The name is text, not markup.
        #expect(
            try await page.waitUntil(
                "\(row(id)).querySelector('.token-name').textContent.startsWith(\(DevToolsPage.literal(hostileName)))", within: .seconds(90)))
        #expect(try await page.evaluate("document.querySelector('#job-rows img') === null") == .bool(true))

        // Cancel: a job due in an hour waits; its Cancel button cancels it.
        let later = Date().addingTimeInterval(3600)
        let waiting = try await queue.enqueue(StatusPageTestsSupport.job("page-cancel", recipient: recipient, scheduledAt: later)).jobID
        try await click(page, "cancel", waiting)
        #expect(try await page.waitUntil(seen(waiting, "cancelled"), within: .seconds(120)))
        #expect(try await queue.job(id: waiting).state == .cancelled)

        // Retry: a job that failed; its Retry button runs it again, to confirmed.
        let failed = try await queue.enqueue(StatusPageTestsSupport.job("page-retry", recipient: recipient, scheduledAt: later)).jobID
        try await client.query(
            """
            UPDATE flutterbye.token_jobs SET state = 'failed', attempt = 1, finished_at = now(),
                errors = jsonb_build_array(jsonb_build_object('class', 'insufficient_funds', 'message', 'fund the payer', 'attempt', 1, 'at', now()))
            WHERE id = \(failed)
            """, logger: WorkerTestEnvironment.logger)
        #expect(try await page.waitUntil("\(row(failed)) && \(row(failed)).dataset.state === 'failed'", within: .seconds(120)))
        #expect(try await page.string("\(row(failed)).querySelector('.error-text').textContent") == "insufficient_funds: fund the payer")
        try await click(page, "retry", failed)
        #expect(try await page.waitUntil(seen(failed, "confirmed"), within: .seconds(180)))
        #expect([.confirmed, .finalized].contains(try await queue.job(id: failed).state))

        // An FLBY movement the indexer finds arrives in the index's table.
        let holder = Keypair.generate().publicKey
        _ = try await flby.open(for: holder)
        let minted = try await flby.mint(1_500_000, to: holder).base58
        #expect(
            try await page.waitUntil(
                "document.querySelector('#movement-rows tr[data-signature=\(DevToolsPage.literal(minted))]')", within: .seconds(180)))
        #expect(
            try await page.waitUntil("document.querySelector('#address-rows tr[data-role=\"mint\"] .lag').textContent !== '–'", within: .seconds(120))
        )
        // The counters and the chart follow (re-read on events).
        #expect(try await page.waitUntil("document.getElementById('last-hour').textContent.startsWith('2 confirmed')", within: .seconds(120)))
        #expect(try await page.waitUntil("document.querySelectorAll('#latency-chart circle').length > 0", within: .seconds(90)))

        // All of it without a reload, without an error, within the Content-Security-Policy.
        #expect(try await page.evaluate("window.__marker") == .string(marker))
        #expect(page.events(named: "Page.frameNavigated").count == navigations)
        #expect(try await page.string("JSON.stringify(window.__violations)") == "[]")
        #expect(page.events(named: "Runtime.exceptionThrown").isEmpty, "\(page.events(named: "Runtime.exceptionThrown"))")
        let consoleErrors = page.events(named: "Runtime.consoleAPICalled").filter { $0["params"]?["type"] == "error" }
        #expect(consoleErrors.isEmpty, "\(consoleErrors)")
        let notice = try await page.string("document.getElementById('notice').hidden ? '' : document.getElementById('notice').textContent")
        #expect(notice.isEmpty, "the page shows a problem: \(notice)")

        try await page.screenshot(to: screenshot)
        print("StatusPageTests: the status page's screenshot: \(screenshot.path)")
    }

    /// The service stops (`stop`) and comes back (`start`) under the open page: the page shows it is offline, and
    /// reconnects by itself (with its cursor); a job enqueued and cancelled while the service was away (its events are
    /// in the log) shows as cancelled, without a reload.
    static func reconnect(
        _ page: DevToolsPage, queue: TokenJobQueue, recipient: PublicKey, stop: () async throws -> Void, start: () async throws -> Void
    ) async throws {
        let navigations = page.events(named: "Page.frameNavigated").count
        try await stop()
        #expect(try await page.waitUntil("document.getElementById('connection').dataset.state === 'offline'", within: .seconds(90)))
        let away = try await queue.enqueue(
            StatusPageTestsSupport.job("page-while-away", recipient: recipient, scheduledAt: Date().addingTimeInterval(3600))
        ).jobID
        _ = try await queue.cancel(jobID: away)
        try await start()
        #expect(try await page.waitUntil("document.getElementById('connection').dataset.state === 'live'", within: .seconds(180)))
        #expect(try await page.waitUntil(seen(away, "cancelled"), within: .seconds(120)), "the events of the time away never arrived")
        #expect(page.events(named: "Page.frameNavigated").count == navigations, "the page reloaded")
    }

    /// Types `token` into the sign-in field and presses Open, as an operator does.
    static func signIn(_ page: DevToolsPage, _ token: String) async throws {
        try await page.evaluate("document.getElementById('token-input').focus(); true")
        try await page.type(token)
        try await page.evaluate("document.getElementById('token-submit').click(); true")
    }

    /// Waits for job `id`'s `action` button (cancel or retry) and clicks it.
    static func click(_ page: DevToolsPage, _ action: String, _ id: Int64) async throws {
        let button = "document.querySelector('button[data-action=\"\(action)\"][data-job-id=\"\(id)\"]')"
        #expect(try await page.waitUntil(button, within: .seconds(120)), "no \(action) button for job \(id)")
        try await page.evaluate("\(button).click(); true")
    }
}

/// The service started again under the page (set from the page's closure, read after it).
final class RestartedService: @unchecked Sendable {
    var worker: WorkerProcessLauncher.Worker?
}

/// What the status page's test builds.
enum StatusPageTestsSupport {
    static func job(_ key: String, recipient: PublicKey, scheduledAt: Date) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token", decimals: 0, name: "Page \(key)", symbol: "PAGE",
            uri: "https://flutterbye.example/\(key).json",
            amount: "1", recipient: recipient.base58, scheduledAt: scheduledAt)
    }
}
