import ChainTestSupport
import FlutterbyeTestSupport
import Foundation
import SolanaCore
import Testing

/// The status page's pure JavaScript (`Resources/status_page_model.js`: what the page shows from what the API and the
/// stream send), run in headless Chromium on a blank page: no server, no network. Expected values are worked out by
/// hand or by Foundation (base64).
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs Tests/run (it installs headless Chromium)"))
struct StatusPageModelTests {
    /// Runs `body` with the model script loaded into a blank page of a browser of its own.
    func withModel(_ body: @escaping @Sendable (DevToolsPage) async throws -> Void) async throws {
        try #require(HeadlessChromium.executable != nil, "\(HeadlessChromium.missing)")
        let source = try String(
            contentsOf: Repository.root.appendingPathComponent("Sources/FlutterbyeAPI/Resources/status_page_model.js"), encoding: .utf8)
        let chromium = try await HeadlessChromium.launch()
        do {
            try await chromium.withPage { page in
                try await page.evaluate(source + "\n;true")
                try await body(page)
            }
        } catch {
            Issue.record("Chromium:\n\(chromium.tail())")
            await chromium.stop()
            throw error
        }
        await chromium.stop()
    }

    /// Each expression (with `M` the model) gives the JSON value beside it.
    func expect(_ page: DevToolsPage, _ cases: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for (expression, expected) in cases {
            let text = try await page.string("JSON.stringify((function (M) { return \(expression); })(FlutterbyeStatusModel))")
            let actual = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            let wanted = try JSONDecoder().decode(JSONValue.self, from: Data(expected.utf8))
            #expect(actual == wanted, "\(expression): \(text), expected \(expected)", sourceLocation: sourceLocation)
        }
    }

    /// The model's functions, one group after another, in one browser (launching one is slow on a loaded machine).
    @Test func thePureScriptGivesWhatThePageShows() async throws {
        try await withModel { page in
            try await theTokenTravelsAsABase64URLSubprotocolAndNeverInTheStreamsURL(page)
            try await jobEventsMoveARowAlongAndAnswersReadLaterDoNotMoveItBack(page)
            try await movementsAreKeptOnceNewestSlotFirstAndADroppedTransactionLeaves(page)
            try await figuresReadAsPeopleReadThem(page)
            try await theLatencyChartBreaksItsLinesAtMinutesWithoutConfirmations(page)
        }
    }

    func theTokenTravelsAsABase64URLSubprotocolAndNeverInTheStreamsURL(_ page: DevToolsPage) async throws {
        let token = "test-api-token-0123456789abcdef"
        let unusual = "tök€n/with+odd=chars?"
        try await expect(
            page,
            [
                ("M.base64url(\(DevToolsPage.literal(token)))", DevToolsPage.literal(Base64URL.encode(token))),
                ("M.base64url(\(DevToolsPage.literal(unusual)))", DevToolsPage.literal(Base64URL.encode(unusual))),
                ("M.subprotocols(\(DevToolsPage.literal(token)))", #"["flutterbye.v1", "flutterbye.bearer.\#(Base64URL.encode(token))"]"#),
                (
                    "M.streamURL({protocol: 'http:', host: '127.0.0.1:8080'}, null)",
                    #""ws://127.0.0.1:8080/v1/events?from=latest&kinds=job_state,flby_movement,transaction_dropped""#
                ),
                (
                    "M.streamURL({protocol: 'https:', host: 'status.example'}, '8142-5531')",
                    #""wss://status.example/v1/events?cursor=8142-5531&kinds=job_state,flby_movement,transaction_dropped""#
                ),
                (
                    "[M.parseMessage('nope'), M.parseMessage('[]'), M.parseMessage('null'), M.parseMessage('{\"type\": 3}')]",
                    "[null, null, null, null]"
                ),
                (#"M.parseMessage('{"type": "subscribed", "cursor": "1-2"}')"#, #"{"type": "subscribed", "cursor": "1-2"}"#),
            ])
    }

    func jobEventsMoveARowAlongAndAnswersReadLaterDoNotMoveItBack(_ page: DevToolsPage) async throws {
        let job =
            #"{id: 7, idempotency_key: "k", name: "<b>N</b>", symbol: "S", state: "available", attempts: 0, errors: [], signature: null, mint_address: null}"#
        let error = #"{class: "transient", message: "429", attempt: 1, at: "2026-01-01T00:00:00Z"}"#
        try await expect(
            page,
            [
                (
                    "M.jobRow(\(job))",
                    #"{"id": 7, "key": "k", "name": "<b>N</b>", "symbol": "S", "state": "available", "attempts": 0, "error": null, "signature": null, "mint": null}"#
                ),
                // A new job the stream introduces: its row from the event alone.
                (
                    #"M.applyJobEvent(undefined, {job_id: 9, idempotency_key: "q", state: "available", previous_state: null, attempt: 0, signature: null, mint_address: null, error: null})"#,
                    #"{"id": 9, "key": "q", "name": null, "symbol": null, "state": "available", "attempts": 0, "error": null, "signature": null, "mint": null}"#
                ),
                // running, retryable with its error, running again (the error stays), submitted with a signature, confirmed.
                (
                    """
                    [{state: "running", attempt: 1}, {state: "retryable", attempt: 1, error: \(error)}, {state: "running", attempt: 2, error: null},
                     {state: "submitted", attempt: 2, signature: "SIG", mint_address: "MINT"}, {state: "confirmed", attempt: 2, signature: null}]
                      .reduce(function (row, data) { return M.applyJobEvent(row, Object.assign({job_id: 7, idempotency_key: "k"}, data)); }, M.jobRow(\(job)))
                    """,
                    #"{"id": 7, "key": "k", "name": "<b>N</b>", "symbol": "S", "state": "confirmed", "attempts": 2, "error": {"class": "transient", "message": "429", "attempt": 1, "at": "2026-01-01T00:00:00Z"}, "signature": "SIG", "mint": "MINT"}"#
                ),
                // A job read after the event made it confirmed keeps the event's state, takes its name.
                (
                    #"M.describeJob(M.applyJobEvent(undefined, {job_id: 7, idempotency_key: "k", state: "confirmed", attempt: 1}), \#(job)).state"#,
                    #""confirmed""#
                ),
                (#"M.describeJob(M.applyJobEvent(undefined, {job_id: 7, state: "confirmed", attempt: 1}), \#(job)).name"#, #""<b>N</b>""#),
                (
                    "M.STATES.map(function (state) { return M.jobActions({state: state, signature: null}); })",
                    """
                    [{"cancel": true, "retry": false}, {"cancel": true, "retry": false}, {"cancel": false, "retry": false},
                     {"cancel": false, "retry": false}, {"cancel": false, "retry": false}, {"cancel": true, "retry": false},
                     {"cancel": false, "retry": true}, {"cancel": false, "retry": false}]
                    """
                ),
                (#"M.jobActions({state: "running", signature: "SIG"})"#, #"{"cancel": false, "retry": false}"#),
                ("[M.keepsJob([5, 6, 7], 4, 3), M.keepsJob([5, 6, 7], 8, 3), M.keepsJob([5, 6], 1, 3)]", "[false, true, true]"),
                ("M.newestJobs([{id: 2}, {id: 9}, {id: 5}], 2)", #"[{"id": 9}, {"id": 5}]"#),
            ])
    }

    func movementsAreKeptOnceNewestSlotFirstAndADroppedTransactionLeaves(_ page: DevToolsPage) async throws {
        try await expect(
            page,
            [
                (
                    """
                    M.mergeMovements([{signature: "a", movement_index: 0, slot: 5}, {signature: "b", movement_index: 1, slot: 9}],
                      [{signature: "b", movement_index: 1, slot: 9, amount: "2"}, {signature: "b", movement_index: 0, slot: 9}, {signature: "c", movement_index: 0, slot: 7}, null], 3)
                      .map(function (m) { return m.signature + m.movement_index + (m.amount || ""); })
                    """,
                    #"["b0", "b12", "c0"]"#
                ),
                (
                    #"M.dropTransaction([{signature: "a", slot: 1}, {signature: "b", slot: 2}, {signature: "a", slot: 1}], "a")"#,
                    #"[{"signature": "b", "slot": 2}]"#
                ),
                (
                    #"M.explorerLink("https://explorer.solana.com/tx/{signature}?cluster=custom", "5h?x")"#,
                    #""https://explorer.solana.com/tx/5h%3Fx?cluster=custom""#
                ),
                (
                    #"[M.explorerLink("javascript:alert(1)//{signature}", "x"), M.explorerLink(undefined, "x"), M.explorerLink("https://e/{signature}", null)]"#,
                    "[null, null, null]"
                ),
                (
                    #"[M.shorten("BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"), M.shorten("short"), M.shorten(null)]"#,
                    #"["BhK7…H39z", "short", "–"]"#
                ),
            ])
    }

    func figuresReadAsPeopleReadThem(_ page: DevToolsPage) async throws {
        try await expect(
            page,
            [
                (
                    "[0.42, 12.34, 245, 7380, 0, null, -1, NaN, Infinity].map(M.formatSeconds)",
                    #"["0.42 s", "12.3 s", "4 min 05 s", "2 h 03 min", "0.00 s", "–", "–", "–", "–"]"#
                ),
                ("[0.005, 0.25, 0, 1, null].map(M.formatRate)", #"["0.50 %", "25.0 %", "0.0 %", "100.0 %", "–"]"#),
                ("[0, 0.5, 1, 1.2, 7, 23, 51, 100, 101].map(M.niceCeiling)", "[1, 1, 1, 2, 10, 50, 100, 100, 200]"),
                ("M.throughput([{confirmed: 9}, {confirmed: 1}, {confirmed: 2}, {confirmed: 3}], 2)", "2.5"),
                ("[M.throughput([], 5), M.throughput(undefined, 5)]", "[0, 0]"),
                ("[0, 1, 2, 5, 100].map(M.backoff)", "[1000, 2000, 4000, 30000, 30000]"),
                ("[M.throttleDelay(1000, 1500, 2000), M.throttleDelay(1000, 4000, 2000), M.throttleDelay(0, 1e12, 2000)]", "[1500, 0, 0]"),
            ])
    }

    func theLatencyChartBreaksItsLinesAtMinutesWithoutConfirmations(_ page: DevToolsPage) async throws {
        // Three minutes in a 100 x 50 box without padding: x at 0, 50 and 100; the axis's top 10 s (8 rounded up);
        // y = 50 - value / 10 x 50.
        let minutes = """
            [{confirmation_p50_seconds: 1, confirmation_p95_seconds: 2}, {confirmation_p50_seconds: null, confirmation_p95_seconds: null},
             {confirmation_p50_seconds: 3, confirmation_p95_seconds: 8}]
            """
        try await expect(
            page,
            [
                ("M.latencyChart(\(minutes), 100, 50, 0)", #"{"top": 10, "p50": [[[0, 45]], [[100, 35]]], "p95": [[[0, 40]], [[100, 10]]]}"#),
                // Two minutes in a row make one line; padding moves it in.
                (
                    "M.latencyChart([{confirmation_p50_seconds: 2}, {confirmation_p50_seconds: 4}], 120, 60, 10)",
                    #"{"top": 5, "p50": [[[10, 34], [110, 18]]], "p95": []}"#
                ),
                (#"M.latencyChart([], 100, 50, 0)"#, #"{"top": 1, "p50": [], "p95": []}"#),
            ])
    }
}
