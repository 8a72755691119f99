import ChainTestSupport
import FlutterbyeAPI
import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Prometheus
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
        try await TestDatabase.withMigratedDatabase(
            "flutterbye_api", truncating: "flutterbye.token_jobs, flutterbye.chain_transactions, flutterbye.chain_address_cursors CASCADE"
        ) { client, database in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            var configuration = StatusAPI.Configuration(
                apiTokens: ["another-token-for-rotation", Self.token], writeLimit: writeLimit, cluster: Self.cluster)
            configuration.unauthenticatedLimit = .init(burst: 1000, perSecond: 1000)
            // Each request reads the database anew (joining a reading under way), so that a test sees what it just
            // wrote; the sharing over time has a test of its own.
            configuration.sampling.statusReadingsMaxAge = .zero
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
        return ByteBuffer(
            string: """
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

    /// Runs one statement on the API tests' database.
    static func sql(_ text: String) async throws {
        let url = try TestDatabase.requiredURL()
        var database = try DatabaseConfiguration(url: url)
        database.database = "flutterbye_api"
        try await TestDatabase.withClient(database) { client in
            try await client.query(PostgresQuery(unsafeSQL: text), logger: logger)
        }
    }
}
