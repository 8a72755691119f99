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
import PostgresNIO
import Prometheus
import SolanaRPC
import Testing

/// What `/metrics` and `/readyz` cost: they answer from values a background service refreshes on a timer, so a
/// scrape or a probe sends no statement to PostgreSQL and no call to the RPC node, however many come. The statements
/// are counted by PostgreSQL itself (pg_stat_statements, on a cluster of the test's own), the RPC calls by the local
/// chain (its counters by method).
@Suite(
    "Scrapes and probes cost no query and no RPC call",
    .enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and PostgreSQL: run Tests/run"), .serialized)
struct ScrapeCostTests {
    static let logger = Logger(label: "ScrapeCostTests")
    static let token = StatusAPITests.token

    /// The local chain's count of JSON-RPC calls, all methods together.
    static func rpcCalls(_ server: LocalChainServer) async throws -> Int {
        let counters = try #require(try await server.controlState()["counters"] as? [String: Any])
        let requests = try #require(counters["requests"] as? [String: Any])
        return requests.values.reduce(0) { $0 + (($1 as? NSNumber)?.intValue ?? 0) }
    }

    /// The statements PostgreSQL has run in database `name` (pg_stat_statements), read over `admin` (another database).
    static func statements(_ admin: PostgresClient, database name: String) async throws -> Int {
        for try await (calls, ) in try await admin.query(
            """
            SELECT coalesce(sum(s.calls), 0)::int8 FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname = \(name)
            """, logger: logger
        ).decode((Int64,).self) {
            return Int(calls)
        }
        return 0
    }

    @Test func fiftyScrapesAndProbesSendNoStatementAndNoRPCCall() async throws {
        let cluster = try await PostgresTestCluster.start()
        var adminConfiguration = try DatabaseConfiguration(url: cluster.url)
        adminConfiguration.database = "postgres"
        // pg_stat_statements is loaded at the server's start.
        try await TestDatabase.withClient(adminConfiguration) { admin in
            try await admin.query("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'", logger: Self.logger)
        }
        try await cluster.halt()
        try await cluster.resume()
        let server = try await LocalChainServer.start()
        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(2), logger: Self.logger)
        let database = try DatabaseConfiguration(url: cluster.url)
        try await TestDatabase.withClient(adminConfiguration) { admin in
            try await admin.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", logger: Self.logger)
            try await TestDatabase.withClient(database) { client in
                let migrator = try SchemaMigrator.bundled()
                try await migrator.apply(on: client, logger: Self.logger)
                let registry = PrometheusCollectorRegistry()
                var configuration = StatusAPI.Configuration(apiTokens: [Self.token], cluster: StatusAPITests.cluster)
                configuration.unauthenticatedLimit = .init(burst: 1000, perSecond: 1000)
                let api = StatusAPI(
                    configuration: configuration, queue: TokenJobQueue(client: client, logger: Self.logger),
                    index: IndexStore(client: client, logger: Self.logger), events: EventLog(client: client, logger: Self.logger), rpc: rpc,
                    metrics: registry, readiness: [.database(client, version: migrator.latestVersion, logger: Self.logger), .rpc(rpc)],
                    database: database, logger: Self.logger)
                let app = api.application(host: "127.0.0.1", port: 0, logger: Self.logger)
                try await app.test(.ahc(.http)) { http in
                    func scrape() async throws -> String {
                        let response = try await http.execute(uri: "/metrics", method: .get)
                        #expect(response.status == .ok)
                        return String(buffer: response.body)
                    }
                    func probe() async throws -> HTTPResponse.Status {
                        try await http.execute(uri: "/readyz", method: .get) { $0.status }
                    }
                    // The first refresh: ready, and the jobs gauge is there.
                    var ready = false
                    for _ in 0..<100 where !ready {
                        let status = try await probe()
                        let text = try await scrape()
                        ready = status == .ok && text.contains("flutterbye_jobs{state=\"available\"} 0")
                        if !ready { try await Task.sleep(for: .milliseconds(100)) }
                    }
                    try #require(ready, "the API never became ready with its gauges")
                    let callsBefore = try await Self.rpcCalls(server)
                    let statementsBefore = try await Self.statements(admin, database: "flutterbye_test")
                    let started = ContinuousClock.now
                    for _ in 0..<50 {
                        #expect(try await scrape().contains("flutterbye_jobs{state=\"available\"} 0"))
                        #expect(try await probe() == .ok)
                    }
                    let elapsed = ContinuousClock.now - started
                    let calls = try await Self.rpcCalls(server) - callsBefore
                    let statements = try await Self.statements(admin, database: "flutterbye_test") - statementsBefore
                    // The timers may fire meanwhile: at most a few statements and a couple of calls a second, however
                    // many requests come (before the timers, each scrape cost two getSlot calls and two statements, each
                    // probe a getHealth call and a statement: 150 of each here).
                    let seconds = Int(elapsed.components.seconds) + 1
                    #expect(calls <= 2 * seconds, "50 scrapes and 50 probes in \(elapsed) made \(calls) RPC calls")
                    #expect(statements <= 3 * seconds + 2, "50 scrapes and 50 probes in \(elapsed) ran \(statements) statements")
                }
            }
        }
    }
}
