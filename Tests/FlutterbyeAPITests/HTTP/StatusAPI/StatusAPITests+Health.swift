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

/// The routes operations watch: `/healthz`, `/readyz` (following the database) and `/metrics`.
extension StatusAPITests {
    @Test func healthAndReadiness() async throws {
        let server = try await LocalChainServer.start()
        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(2), logger: Self.logger)
        let database = try await TestDatabase.ownDatabase("flutterbye_api")
        try await TestDatabase.withClient(database) { client in
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
        let cluster = try await PostgresTestCluster.start()
        try await TestDatabase.withClient(try DatabaseConfiguration(url: cluster.url)) { client in
            let migrator = try SchemaMigrator.bundled()
            try await migrator.apply(on: client, logger: Self.logger)
            let checks = [ReadinessCheck.database(client, version: migrator.latestVersion, logger: Self.logger)]
            try await withAPI(readiness: checks) { http, _ in
                func status() async throws -> HTTPResponse.Status {
                    try await http.execute(uri: "/readyz", method: .get) { $0.status }
                }
                #expect(try await status() == .ok)
                try await cluster.halt()
                var down = false
                for _ in 0..<60 where !down {
                    down = try await status() == .serviceUnavailable
                    if !down { try await Task.sleep(for: .milliseconds(250)) }
                }
                #expect(down, "/readyz did not turn 503 within 15 s of the database going away")
                try await cluster.resume()
                var ready = false
                for _ in 0..<40 where !ready {
                    ready = try await status() == .ok
                    if !ready { try await Task.sleep(for: .milliseconds(250)) }
                }
                #expect(ready, "/readyz did not turn 200 within 10 s of the database coming back")
            }
        }
    }

    @Test func metricsAreServedInThePrometheusTextFormat() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "flutterbye_indexed_transactions_total", unitName: "", helpText: ""))
            .increment(by: Int64(3))
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
            // No worker runs here: the job waits, and its wait is the oldest (the sampler's refreshes come every 200 ms).
            let ageLine = text.split(separator: "\n").first { $0.hasPrefix("flutterbye_oldest_waiting_job_age_seconds ") }
            let age = try #require(ageLine.flatMap { Double($0.split(separator: " ").last ?? "") }, "\(text)")
            #expect(age >= 0 && age < 60, "\(text)")
        }
    }
}
