import FlutterbyeAPI
import FlutterbyeStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import FlutterbyeIndexer
import Logging
import NIOCore
import Prometheus
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// The status API over real HTTP (a live server, AsyncHTTPClient as the client) against real PostgreSQL: health and
/// readiness, every job route with every error code it answers, authentication, pagination and rate limiting.
@Suite("Status API over HTTP", .enabled(if: WorkerTestEnvironment.isAvailable, "needs the test database: run Tests/run"), .serialized)
struct StatusAPITests {
    static let logger = Logger(label: "StatusAPITests")
    static let token = "test-api-token-0123456789abcdef"
    static let recipient = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"
    static let cluster = SolanaCluster.custom

    /// Runs `body` with the API on its own database (migrated, no jobs), with `readiness` checks.
    func withAPI(
        writeLimit: RateLimitMiddleware.Limit = .init(burst: 1000, perSecond: 1000), readiness: [ReadinessCheck] = [],
        rpc: SolanaRPCClient? = nil, metrics: PrometheusCollectorRegistry? = nil,
        configure: @Sendable (inout StatusAPI.Configuration) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol, TokenJobQueue) async throws -> Void
    ) async throws {
        let url = try #require(ProcessInfo.processInfo.environment["FLUTTERBYE_TEST_DATABASE_URL"], "run the tests with Tests/run")
        var database = try DatabaseConfiguration(url: url)
        try await WorkerTestEnvironment.createDatabase("flutterbye_api", on: database)
        database.database = "flutterbye_api"
        let client = PostgresClient(configuration: database.clientConfiguration)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await SchemaMigrator.bundled().apply(on: client, logger: Self.logger)
            try await client.query("TRUNCATE flutterbye.token_jobs", logger: Self.logger)
            try await client.query(
                "TRUNCATE flutterbye.chain_transactions, flutterbye.chain_address_cursors CASCADE", logger: Self.logger)
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            var configuration = StatusAPI.Configuration(
                apiTokens: ["another-token-for-rotation", Self.token], writeLimit: writeLimit, cluster: Self.cluster)
            configuration.unauthenticatedLimit = .init(burst: 1000, perSecond: 1000)
            configure(&configuration)
            let api = StatusAPI(
                configuration: configuration,
                queue: queue, index: IndexStore(client: client, logger: Self.logger), events: EventLog(client: client, logger: Self.logger),
                rpc: rpc, metrics: metrics, readiness: readiness, database: database, logger: Self.logger)
            // The whole application, as `flutterbye run` serves it: the server and the services beside it.
            let app = api.application(host: "127.0.0.1", port: 0, logger: Self.logger)
            try await app.test(.ahc(.http)) { http in try await body(http, queue) }
        }
    }

    static var auth: HTTPFields { [.authorization: "Bearer \(token)"] }

    static func jsonHeaders(_ extra: HTTPFields = [:]) -> HTTPFields {
        var headers = auth
        headers[.contentType] = "application/json"
        headers.append(contentsOf: extra)
        return headers
    }

    static func jobBody(_ key: String?, amount: String = "\"1000000\"", name: String = "Flutterbye Launch") -> ByteBuffer {
        let keyMember = key.map { "\"idempotency_key\": \"\($0)\", " } ?? ""
        return ByteBuffer(string: """
            {\(keyMember)"token_program": "token-2022", "decimals": 6, "name": "\(name)", "symbol": "FLBYL",
             "uri": "https://flutterbye.example/launch.json", "amount": \(amount), "recipient": "\(recipient)", "memo": "order"}
            """)
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    /// The `error` member every error answer has: its code, message and field.
    static func error(_ response: TestResponse) throws -> (code: String, message: String, field: String?) {
        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
        let error = try #require(try object(response)["error"] as? [String: Any], "an error answer without an error member")
        return (try #require(error["code"] as? String), try #require(error["message"] as? String), error["field"] as? String)
    }

    @Test func healthAndReadiness() async throws {
        let server = try LocalChainServer()
        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(2), logger: Self.logger)
        let url = try #require(ProcessInfo.processInfo.environment["FLUTTERBYE_TEST_DATABASE_URL"])
        var database = try DatabaseConfiguration(url: url)
        database.database = "flutterbye_api"
        try await WorkerTestEnvironment.createDatabase("flutterbye_api", on: try DatabaseConfiguration(url: url))
        let client = PostgresClient(configuration: database.clientConfiguration)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await SchemaMigrator.bundled().apply(on: client, logger: Self.logger)
            let version = try SchemaMigrator.bundled().latestVersion
            #expect(version >= 5)
            let failing = ReadinessCheck(name: "indexer") { "the indexer is 900 slots behind" }
            try await withAPI(readiness: [.database(client, version: version, logger: Self.logger), .rpc(rpc)]) { http, _ in
                try await http.execute(uri: "/healthz", method: .get) { (response: TestResponse) async throws in
                    #expect(response.status == .ok)
                }
                try await http.execute(uri: "/readyz", method: .get) { (response: TestResponse) async throws in
                    #expect(response.status == .ok)
                    let checks = try #require(try Self.object(response)["checks"] as? [String: String])
                    #expect(checks == ["database": "ok", "rpc": "ok"])
                }
            }
            try await withAPI(readiness: [.database(client, version: version + 1, logger: Self.logger), failing]) { http, _ in
                try await http.execute(uri: "/readyz", method: .get) { (response: TestResponse) async throws in
                    #expect(response.status == .serviceUnavailable)
                    let error = try Self.error(response)
                    #expect(error.code == "not_ready")
                    #expect(error.message.contains("run flutterbye migrate"))
                    #expect(error.message.contains("900 slots behind"))
                }
            }
        }
    }

    /// `/readyz` answers 503 while PostgreSQL is down and 200 once it is back, without a restart (from the checks the
    /// sampler runs every few seconds).
    @Test func readinessFollowsTheDatabase() async throws {
        let cluster = try PostgresTestCluster()
        let client = PostgresClient(configuration: try DatabaseConfiguration(url: cluster.url).clientConfiguration)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let migrator = try SchemaMigrator.bundled()
            try await migrator.apply(on: client, logger: Self.logger)
            let checks = [ReadinessCheck.database(client, version: migrator.latestVersion, logger: Self.logger)]
            try await withAPI(readiness: checks) { http, _ in
                func status() async throws -> HTTPResponse.Status {
                    try await http.execute(uri: "/readyz", method: .get) { $0.status }
                }
                #expect(try await status() == .ok)
                try cluster.halt()
                var down = false
                for _ in 0..<60 where !down {
                    down = try await status() == .serviceUnavailable
                    if !down { try await Task.sleep(for: .milliseconds(250)) }
                }
                #expect(down, "/readyz did not turn 503 within 15 s of the database going away")
                try cluster.resume()
                var ready = false
                for _ in 0..<40 where !ready {
                    ready = try await status() == .ok
                    if !ready { try await Task.sleep(for: .milliseconds(250)) }
                }
                #expect(ready, "/readyz did not turn 200 within 10 s of the database coming back")
            }
        }
    }

    @Test func enqueueAnswers201ThenTheSameJobWith200() async throws {
        try await withAPI { http, queue in
            let created = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("order-1"))
            #expect(created.status == .created)
            let job = try Self.object(created)
            let id = try #require(job["id"] as? Int)
            #expect(created.headers[.location] == "/v1/jobs/\(id)")
            #expect(job["state"] as? String == "available")
            #expect(job["amount"] as? String == "1000000")
            #expect(job["idempotency_key"] as? String == "order-1")
            #expect(job["signature"] is NSNull && job["explorer_url"] is NSNull)
            #expect(job["raw_transaction"] == nil, "the signed transaction's bytes are not shown")

            // The same request again: 200 with the same job. The key may come in a header instead.
            let repeated = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("order-1"))
            #expect(repeated.status == .ok)
            #expect(try Self.object(repeated)["id"] as? Int == id)
            let byHeader = try await http.execute(
                uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders([HTTPField.Name("Idempotency-Key")!: "order-1"]), body: Self.jobBody(nil))
            #expect(byHeader.status == .ok)
            #expect(try Self.object(byHeader)["id"] as? Int == id)
            // A JSON integer amount is taken exactly, even above 2^53.
            let big = try await http.execute(
                uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("order-big", amount: "18446744073709551615"))
            #expect(big.status == .created)
            #expect(try Self.object(big)["amount"] as? String == "18446744073709551615")

            // The same key with other parameters: 409, and nothing changes.
            let conflict = try await http.execute(
                uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("order-1", amount: "\"5\""))
            #expect(conflict.status == .conflict)
            #expect(try Self.error(conflict).code == "idempotency_conflict")
            #expect(try await queue.job(id: Int64(id)).request.amount == "1000000")

            // The job reads back by id.
            try await http.execute(uri: "/v1/jobs/\(id)", method: .get, headers: Self.auth) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                #expect(try Self.object(response)["idempotency_key"] as? String == "order-1")
            }
        }
    }

    @Test func badRequestsAreRefusedWithTheirFieldsAndWriteNothing() async throws {
        try await withAPI { http, queue in
            func post(_ body: String, headers: HTTPFields = StatusAPITests.jsonHeaders()) async throws -> TestResponse {
                try await http.execute(uri: "/v1/jobs", method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            // Several bad fields: every one is named.
            let several = try await post("""
                {"idempotency_key": "bad-1", "token_program": "token-3000", "decimals": 12, "name": "n", "symbol": "S",
                 "uri": "u", "amount": "12.5", "recipient": "not-an-address", "colour": "red"}
                """)
            #expect(several.status == .badRequest)
            let error = try Self.error(several)
            #expect(error.code == "invalid_job")
            let fields = try #require((try Self.object(several)["error"] as? [String: Any])?["fields"] as? [[String: String]])
            #expect(Set(fields.compactMap { $0["field"] }) == ["colour", "token_program", "decimals", "amount", "recipient"])
            // A missing field, a mistyped one, no key at all, a key in header and body that differ.
            let missing = try await post(#"{"idempotency_key": "bad-2", "decimals": "six", "symbol": "S", "uri": "u", "amount": "1"}"#)
            #expect(missing.status == .badRequest)
            let missingFields = try #require((try Self.object(missing)["error"] as? [String: Any])?["fields"] as? [[String: String]])
            #expect(Set(missingFields.compactMap { $0["field"] }) == ["decimals", "name", "recipient"])
            #expect(try Self.error(try await post(String(buffer: Self.jobBody(nil)))).field == "idempotency_key")
            let differing = try await post(
                String(buffer: Self.jobBody("bad-3")), headers: Self.jsonHeaders([HTTPField.Name("Idempotency-Key")!: "bad-4"]))
            #expect(try Self.error(differing).field == "idempotency_key")
            // Not JSON, not an object, not JSON by its type.
            #expect(try Self.error(try await post("{not json")).code == "invalid_request")
            #expect(try await post("[1, 2]").status == .badRequest)
            var textHeaders = Self.auth
            textHeaders[.contentType] = "text/plain"
            #expect(try await post(String(buffer: Self.jobBody("bad-5")), headers: textHeaders).status == .unsupportedMediaType)
            // Too large a body: 413.
            let huge = String(repeating: "x", count: 100_000)
            let tooLarge = try await post(#"{"idempotency_key": "bad-6", "memo": "\#(huge)"}"#)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try Self.error(tooLarge).code == "body_too_large")
            #expect(try await queue.jobs(state: nil, limit: 10, before: nil).isEmpty, "a refused request writes nothing")
        }
    }

    @Test func everyJobRouteNeedsTheToken() async throws {
        try await withAPI { http, _ in
            let routes: [(String, HTTPRequest.Method)] = [
                ("/v1/jobs", .post), ("/v1/jobs", .get), ("/v1/jobs/1", .get), ("/v1/jobs/1/cancel", .post), ("/v1/jobs/1/retry", .post),
            ]
            for (uri, method) in routes {
                for headers: HTTPFields in [[:], [.authorization: "Bearer wrong-token"], [.authorization: "Basic \(Self.token)"], [.authorization: "Bearer \(Self.token)x"]] {
                    let response = try await http.execute(uri: uri, method: method, headers: headers, body: Self.jobBody("auth"))
                    #expect(response.status == .unauthorized, "\(method) \(uri) with \(headers)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    let error = try Self.error(response)
                    #expect(error.code == "unauthorized")
                    #expect(!error.message.contains(Self.token) && !error.message.contains("wrong-token"), "no token in an answer")
                }
            }
            // The rotated-in second token works too.
            try await http.execute(uri: "/v1/jobs", method: .get, headers: [.authorization: "Bearer another-token-for-rotation"]) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func jobsArePagedNewestFirstWithoutRepeatsOrGaps() async throws {
        try await withAPI { http, queue in
            var ids: [Int] = []
            for n in 0..<7 {
                let response = try await http.execute(
                    uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("page-\(n)"))
                ids.append(try #require(try Self.object(response)["id"] as? Int))
            }
            _ = try await queue.cancel(jobID: Int64(ids[1]))
            var seen: [Int] = []
            var cursor: String?
            var pages = 0
            repeat {
                let uri = "/v1/jobs?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try Self.object(try await http.execute(uri: uri, method: .get, headers: Self.auth))
                let jobs = try #require(page["jobs"] as? [[String: Any]])
                seen += jobs.compactMap { $0["id"] as? Int }
                cursor = page["next_cursor"] as? String
                pages += 1
                // A job enqueued between pages does not disturb the pages after it.
                if pages == 1 { _ = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("late")) }
            } while cursor != nil && pages < 10
            #expect(seen == ids.reversed(), "every job once, newest first")
            #expect(pages == 3)

            let cancelled = try Self.object(try await http.execute(uri: "/v1/jobs?state=cancelled", method: .get, headers: Self.auth))
            #expect((cancelled["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [ids[1]])
            for bad in ["/v1/jobs?state=sleeping", "/v1/jobs?limit=0", "/v1/jobs?limit=501", "/v1/jobs?cursor=12", "/v1/jobs?colour=red"] {
                let response = try await http.execute(uri: bad, method: .get, headers: Self.auth)
                #expect(response.status == .badRequest, "\(bad)")
                #expect(try Self.error(response).field != nil)
            }
        }
    }

    @Test func cancelAndRetryFollowTheJobsState() async throws {
        try await withAPI { http, queue in
            let created = try Self.object(try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("cr-1")))
            let id = try #require(created["id"] as? Int)
            // Retrying a job that has not failed: 409.
            let early = try await http.execute(uri: "/v1/jobs/\(id)/retry", method: .post, headers: Self.auth)
            #expect(early.status == .conflict)
            #expect(try Self.error(early).code == "invalid_state")
            // Cancelled once: 200; twice: 409.
            let cancelled = try await http.execute(uri: "/v1/jobs/\(id)/cancel", method: .post, headers: Self.auth)
            #expect(cancelled.status == .ok)
            #expect(try Self.object(cancelled)["state"] as? String == "cancelled")
            #expect(try await http.execute(uri: "/v1/jobs/\(id)/cancel", method: .post, headers: Self.auth).status == .conflict)

            // A failed job is retried with its history kept.
            let other = try Self.object(try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("cr-2")))
            let otherID = try #require(other["id"] as? Int)
            let claimed = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(60)).first?.lease)
            #expect(claimed.jobID == Int64(otherID))
            _ = try await queue.recordFailure(
                claimed, errorClass: "permanent", message: "the recipient is not a wallet", permanent: true, retryAt: Date())
            let failed = try Self.object(try await http.execute(uri: "/v1/jobs/\(otherID)", method: .get, headers: Self.auth))
            #expect(failed["state"] as? String == "failed")
            #expect((failed["errors"] as? [[String: Any]])?.first?["message"] as? String == "the recipient is not a wallet")
            let retried = try await http.execute(uri: "/v1/jobs/\(otherID)/retry", method: .post, headers: Self.auth)
            #expect(retried.status == .ok)
            #expect(try Self.object(retried)["state"] as? String == "available")

            // Unknown and malformed ids; an unknown route.
            #expect(try Self.error(try await http.execute(uri: "/v1/jobs/999999", method: .get, headers: Self.auth)).code == "not_found")
            #expect(try await http.execute(uri: "/v1/jobs/999999/cancel", method: .post, headers: Self.auth).status == .notFound)
            #expect(try Self.error(try await http.execute(uri: "/v1/jobs/abc", method: .get, headers: Self.auth)).field == "id")
            let nowhere = try await http.execute(uri: "/v2/nothing", method: .get)
            #expect(nowhere.status == .notFound)
            #expect(try Self.error(nowhere).code == "not_found")
        }
    }

    @Test func writesAreRateLimitedPerToken() async throws {
        try await withAPI(writeLimit: .init(burst: 3, perSecond: 0.01)) { http, _ in
            for n in 0..<3 {
                let response = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("rl-\(n)"))
                #expect(response.status == .created)
            }
            let limited = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("rl-3"))
            #expect(limited.status == .tooManyRequests)
            #expect(try Self.error(limited).code == "rate_limited")
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter >= 1)
            // Reads are not limited; another token has its own bucket.
            #expect(try await http.execute(uri: "/v1/jobs", method: .get, headers: Self.auth).status == .ok)
            let other = try await http.execute(
                uri: "/v1/jobs", method: .post,
                headers: [.authorization: "Bearer another-token-for-rotation", .contentType: "application/json"], body: Self.jobBody("rl-4"))
            #expect(other.status == .created)
        }
    }
}

extension StatusAPITests {
    @Test func indexStatusShowsCursorsLagAndTheFinalizedWatermark() async throws {
        let server = try LocalChainServer()
        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(2), logger: Self.logger)
        try await withAPI(rpc: rpc) { http, queue in
            // No cursor yet: the configured addresses are missing, and nothing is indexed.
            let empty = try Self.object(try await http.execute(uri: "/v1/index", method: .get, headers: Self.auth))
            #expect((empty["addresses"] as? [Any])?.isEmpty == true)
            #expect(empty["finalized_watermark"] is NSNull)

            let mint = "CRqft4ezes93aTpGML4G1REU3aXHKkMzuPp4ZLBWCFev", account = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"
            try await Self.sql(
                """
                INSERT INTO flutterbye.chain_address_cursors (address, role, newest_signature, newest_slot, signatures_seen)
                VALUES ('\(mint)', 'mint', 'sig-9', 9, 3), ('\(account)', 'flby_account', 'sig-7', 7, 1)
                """)
            try await Self.sql(
                """
                INSERT INTO flutterbye.chain_transactions (signature, slot, fee, finalized, dropped)
                VALUES ('sig-5', 5, 5000, true, false), ('sig-7', 7, 5000, false, false), ('sig-8', 8, 5000, false, true),
                       ('sig-9', 9, 5000, false, false)
                """)
            // The local chain starts at slot 0: let it pass the cursor's slot first.
            while try await rpc.slot(commitment: .confirmed) < 20 { try await Task.sleep(for: .milliseconds(50)) }
            let report = try Self.object(try await http.execute(uri: "/v1/index", method: .get, headers: Self.auth))
            let addresses = try #require(report["addresses"] as? [[String: Any]])
            #expect(addresses.count == 1, "only the configured addresses are listed")
            #expect(addresses.first?["address"] as? String == mint)
            #expect(addresses.first?["newest_slot"] as? Int == 9)
            let chainSlot = try #require(report["chain_slot"] as? Int)
            #expect(addresses.first?["lag_slots"] as? Int == chainSlot - 9)
            #expect(report["discovered_accounts"] as? Int == 1)
            #expect(report["finalized_watermark"] as? Int == 6, "sig-7 at slot 7 is not finalized yet; sig-8 is dropped")
            #expect(report["newest_indexed_slot"] as? Int == 9)
            _ = queue
        }
    }

    @Test func statsShowJobsByStateLatencyAndSuccess() async throws {
        try await withAPI { http, queue in
            for n in 0..<4 {
                _ = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("stats-\(n)"))
            }
            // Two confirmed 2 s and 10 s after they were enqueued; one failed for good.
            try await Self.sql(
                """
                UPDATE flutterbye.token_jobs SET state = 'confirmed', signature = 'sig-' || id, confirmed_at = created_at + make_interval(secs => 2)
                WHERE idempotency_key = 'stats-0'
                """)
            try await Self.sql(
                """
                UPDATE flutterbye.token_jobs SET state = 'confirmed', signature = 'sig-' || id, confirmed_at = created_at + make_interval(secs => 10)
                WHERE idempotency_key = 'stats-1'
                """)
            try await Self.sql("UPDATE flutterbye.token_jobs SET state = 'failed', finished_at = now() WHERE idempotency_key = 'stats-2'")
            let stats = try Self.object(try await http.execute(uri: "/v1/stats", method: .get, headers: Self.auth))
            let jobs = try #require(stats["jobs"] as? [String: Any])
            let byState = try #require(jobs["by_state"] as? [String: Int])
            #expect(byState["confirmed"] == 2 && byState["failed"] == 1 && byState["available"] == 1 && byState["running"] == 0)
            #expect(jobs["confirmed"] as? Int == 2 && jobs["failed"] as? Int == 1)
            #expect(abs((jobs["success_rate"] as? Double ?? 0) - 2.0 / 3.0) < 1e-9)
            #expect(abs((jobs["confirmation_p50_seconds"] as? Double ?? 0) - 6) < 1e-6)
            #expect(abs((jobs["confirmation_p95_seconds"] as? Double ?? 0) - 9.6) < 1e-6)
            let rpc = try #require(stats["rpc"] as? [String: Any])
            #expect(rpc["requests"] is Int)
            #expect(try await http.execute(uri: "/v1/stats", method: .get).status == .unauthorized)
            _ = queue
        }
    }

    @Test func metricsAreServedInThePrometheusTextFormat() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(name: "flutterbye_indexed_transactions_total").increment(by: Int64(3))
        try await withAPI(metrics: registry, configure: { $0.sampling.gaugeInterval = .milliseconds(200) }) { http, _ in
            _ = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("metrics-1"))
            // The gauges are refreshed on the sampler's timer, not by the scrape.
            var text = ""
            for _ in 0..<100 where !text.contains("flutterbye_jobs{state=\"available\"} 1") {
                let response = try await http.execute(uri: "/metrics", method: .get)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                text = String(buffer: response.body)
                if !text.contains("flutterbye_jobs{state=\"available\"} 1") { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(text.contains("flutterbye_jobs{state=\"available\"} 1"), "\(text)")
            #expect(text.contains("flutterbye_jobs{state=\"failed\"} 0"))
            #expect(text.contains("flutterbye_indexed_transactions_total 3"))
        }
    }

    /// schemathesis (PyPI, in .venv) against the live API and its /openapi.json: no 5xx, every status code, content
    /// type and body as the document says, for every route and a bounded number of generated requests each.
    @Test func schemathesisFindsNoServerErrorAndNoMismatchWithTheOpenAPIDocument() async throws {
        let python = try #require(LiteSVMSession.python, "run Tests/run: it installs schemathesis into .venv")
        let schemathesis = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("schemathesis").path
        try #require(FileManager.default.isExecutableFile(atPath: schemathesis), "run Tests/run: it installs schemathesis into .venv")
        try await withAPI(metrics: PrometheusCollectorRegistry()) { http, queue in
            let port = try #require(http.port)
            // Jobs to read, cancel and retry: one available, one cancelled, one failed.
            for n in 0..<3 {
                _ = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("st-\(n)"))
            }
            let listed = try await queue.jobs(state: nil, limit: 3, before: nil)
            _ = try await queue.cancel(jobID: listed[1].id)
            if let claimed = try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(60)).first?.lease {
                _ = try await queue.recordFailure(claimed, errorClass: "permanent", message: "refused", permanent: true, retryAt: Date())
            }
            let document = try await http.execute(uri: "/openapi.json", method: .get)
            #expect(document.status == .ok)
            #expect(try Self.object(document)["openapi"] as? String == "3.1.0")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: schemathesis)
            process.arguments = [
                "run", "http://127.0.0.1:\(port)/openapi.json",
                "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--max-examples", "25", "--seed", "1", "--request-timeout", "10", "-H", "Authorization: Bearer \(Self.token)",
            ]
            var environment = ProcessInfo.processInfo.environment
            environment["NO_COLOR"] = "1"
            environment["SCHEMATHESIS_HOOKS"] = nil
            process.environment = environment
            process.currentDirectoryURL = FileManager.default.temporaryDirectory
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "schemathesis found problems:\n\(text.suffix(6000))")
            // Every operation schemathesis selected was tried (/v1/events included: as plain GETs, answered 426 or 4xx).
            let selected = try #require(text.firstMatch(of: /Selected: (\d+)\/(\d+)/), "\(text.suffix(2000))")
            let tested = try #require(text.firstMatch(of: /Tested: (\d+)/), "\(text.suffix(2000))")
            #expect(selected.1 == selected.2 && tested.1 == selected.1 && Int(tested.1) ?? 0 >= 11, "\(text.suffix(2000))")
            #expect(text.contains("GET /v1/events") || Int(tested.1) ?? 0 >= 12, "\(text.suffix(2000))")
        }
    }

    /// Runs one statement on the API tests' database.
    static func sql(_ text: String) async throws {
        let url = try #require(ProcessInfo.processInfo.environment["FLUTTERBYE_TEST_DATABASE_URL"])
        var database = try DatabaseConfiguration(url: url)
        database.database = "flutterbye_api"
        let client = PostgresClient(configuration: database.clientConfiguration)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: text), logger: logger)
        }
    }
}

/// The token bucket alone, with the time given.
struct TokenBucketTests {
    @Test func aBurstThenTheRefillRate() {
        let start = ContinuousClock.now
        var bucket = TokenBucket(capacity: 2, perSecond: 4, now: start)
        #expect(bucket.take(now: start) == nil)
        #expect(bucket.take(now: start) == nil)
        let wait = bucket.take(now: start)
        #expect(wait == .milliseconds(250))
        #expect(bucket.take(now: start + .milliseconds(250)) == nil)
        #expect(bucket.take(now: start + .milliseconds(260)) != nil)
        // Refill stops at the capacity.
        #expect(bucket.take(now: start + .seconds(10)) == nil)
        #expect(bucket.take(now: start + .seconds(10)) == nil)
        #expect(bucket.take(now: start + .seconds(10)) != nil)
    }
}
