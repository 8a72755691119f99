import ChainTestSupport
import FlutterbyeAPI
import FlutterbyeIndexer
import FlutterbyeStore
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

/// `/v1/index/status` and `/v1/stats`: what the index and the queue report.
extension StatusAPITests {
    @Test func indexStatusShowsCursorsLagAndTheFinalizedWatermark() async throws {
        let server = try LocalChainServer()
        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(2), logger: Self.logger)
        try await withAPI(rpc: rpc) { http, queue in
            // No cursor yet: the configured addresses are missing, and nothing is indexed.
            let empty = try Self.object(try await http.execute(uri: "/v1/index", method: .get, headers: Self.auth))
            #expect((empty["addresses"] as? [Any])?.isEmpty == true)
            #expect(empty["finalized_watermark"] is NSNull)

            let mint = "CRqft4ezes93aTpGML4G1REU3aXHKkMzuPp4ZLBWCFev"
            let account = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"
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
}
