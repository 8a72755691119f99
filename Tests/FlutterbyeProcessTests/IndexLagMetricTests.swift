import AsyncHTTPClient
import ChainTestSupport
import Foundation
import NIOHTTP1
import SolanaCore
import Testing

/// FlutterbyeIndexLagging (`time() - max by (job, role, address)
/// (flutterbye_index_caught_up_timestamp_seconds) > 600`) can only fire for an address whose gauge exists. The gauge
/// was set only by a poll that reached the head, so a configured address that this process never caught up (its polls
/// failing from the start: a pruned ledger on a first read, a provider refusing getSignaturesForAddress, a restart
/// during an RPC outage) had no series, and the alert stayed silent while nothing was indexed. Until its first
/// catch-up, the series holds when the indexer started following the address.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct IndexLagMetricTests {
    static let token = "ops-review-index-lag-token-0123456789abcdef"

    @Test func aConfiguredAddressThatNeverCatchesUpIsStillExportedForTheLagAlert() async throws {
        try await WorkerTestEnvironment.with(database: "flutterbye_ops_review_index_lag", fund: nil) { _, _, server in
            let mint = try Keypair(seed: [UInt8](repeating: 131, count: 32)).publicKey.base58
            // The provider refuses every getSignaturesForAddress (a non-transient JSON-RPC error): no poll can succeed.
            _ = try await server.control([
                "method_errors": ["getSignaturesForAddress": ["rate": 1, "code": -32011, "message": "history not available"]]
            ])
            let launcher = try WorkerProcessLauncher(
                command: "run", databaseURL: try WorkerProcessLauncher.testDatabaseURL("flutterbye_ops_review_index_lag"), rpcURL: server.url,
                settings: [
                    "API_TOKEN": Self.token, "FLUTTERBYE_API_PORT": "0", "FLBY_TOKEN_MINT": mint, "FLUTTERBYE_INDEX_POLL_MILLISECONDS": "200",
                    "SOLANA_WS_URL": "off",
                ])
            launcher.arguments = ["--no-worker"]
            let process = try launcher.start("ops-review-index-lag")
            defer { process.kill9() }
            let base = try await RunCommandTests().apiURL(process)
            // The indexer has tried, and failed, to read the mint's history (its warning is logged).
            let deadline = ContinuousClock.now + .seconds(60)
            while !process.tail(400).contains("failed; trying again later") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(process.tail(400).contains("failed; trying again later"), "the indexer never failed a poll:\n\(process.tail(60))")
            // Give the sampler and the failing polls a few more rounds.
            try await Task.sleep(for: .seconds(12))
            let metrics = try await StatusAPIRequest.send(HTTPClient.shared, .GET, base + "/metrics", token: Self.token).text
            // The mint is configured and its polls fail, yet the series the lag alert reads is missing: the alert's
            // expression has nothing to evaluate for it.
            let series = "flutterbye_index_caught_up_timestamp_seconds{role=\"mint\",address=\"\(mint)\"}"
            #expect(
                metrics.contains(series),
                "/metrics has no \(series): FlutterbyeIndexLagging can never fire for an address this process never caught up\n\(metrics)")
            #expect(await process.stopGracefully(), "\(process.tail())")
        }
    }
}
