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
        let server = try await LocalChainServer.start()
        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(2), logger: Self.logger)
        try await withAPI(rpc: rpc) { http, queue in
            // The local chain starts at slot 0: let it pass the cursor's slot first (the API's reading of the chain's
            // slots, made by the first request, serves the next ones for a few seconds).
            while try await rpc.slot(commitment: .confirmed) < 20 { try await Task.sleep(for: .milliseconds(50)) }
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

            // The recent FLBY movements, newest event first, as the event stream sends them; none of a dropped
            // transaction. Each written in a transaction of its own, in this order.
            for (signature, index, kind, amount) in [
                ("sig-5", 0, "mint", "18446744073709551615"), ("sig-8", 0, "transfer", "5"),
                ("sig-9", 0, "transfer", "70"), ("sig-9", 1, "burn", "3"), ("sig-7", 0, "transfer", "40"),
            ] {
                try await Self.sql(
                    """
                    INSERT INTO flutterbye.chain_flby_movements (signature, movement_index, instruction_index, kind, source_owner, destination_owner, amount)
                    VALUES ('\(signature)', \(index), \(index), '\(kind)', \(kind == "mint" ? "NULL" : "'\(account)'"), '\(mint)', \(amount))
                    """)
            }
            var movements: [[String: Any]] = []
            // Readable once every transaction the cluster began before them has ended (other suites run beside this one).
            for _ in 0..<600 {
                let answer = try Self.object(try await http.execute(uri: "/v1/index", method: .get, headers: Self.auth))
                movements = try #require(answer["recent_movements"] as? [[String: Any]])
                if movements.count >= 4 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(movements.map { "\($0["signature"] ?? "")#\($0["movement_index"] ?? "")" } == ["sig-7#0", "sig-9#1", "sig-9#0", "sig-5#0"])
            let minted = try #require(movements.last)
            #expect(minted["amount"] as? String == "18446744073709551615" && minted["kind"] as? String == "mint" && minted["slot"] as? Int == 5)
            #expect(minted["source_owner"] is NSNull && minted["destination_owner"] as? String == mint && minted["block_time"] is NSNull)
            _ = queue
        }
    }

    /// Every open status page asks for `/v1/index` every few seconds, and each answer shows the chain's slots: the
    /// API reads them once for all askers (a reading is shared for a few seconds), so the RPC calls do not grow with
    /// the number of pages or clients.
    @Test func indexRequestsShareOneReadingOfTheChainsSlots() async throws {
        let server = try await LocalChainServer.start()
        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(5), logger: Self.logger)
        @Sendable func slotCalls() async throws -> Int {
            let counters = try #require(try await server.controlState()["counters"] as? [String: Any])
            return ((counters["requests"] as? [String: Any])?["getSlot"] as? NSNumber)?.intValue ?? 0
        }
        try await withAPI(rpc: rpc, configure: { $0.sampling.chainSlotsMaxAge = .seconds(3600) }) { http, _ in
            let before = try await slotCalls()
            let slots = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let answer = try Self.object(try await http.execute(uri: "/v1/index", method: .get, headers: Self.auth))
                        return answer["chain_slot"] as? Int
                    }
                }
                return try await group.reduce(into: [Int?]()) { $0.append($1) }
            }
            #expect(slots.allSatisfy { $0 != nil }, "every answer shows the chain's slot: \(slots)")
            #expect(Set(slots).count == 1, "one reading, shared: \(slots)")
            #expect(try await slotCalls() - before == 2, "one getSlot for the confirmed slot and one for the finalized, for 20 answers")
        }
    }

    /// Every open status page asks for `/v1/stats` and `/v1/index` every 2 s while jobs move, and the job counts read
    /// every job kept: the database's work must not grow with the number of pages. Within a reading's age, answers
    /// come from that one reading: what the database holds since is not read.
    @Test func statusRequestsShareOneReadingOfTheDatabase() async throws {
        try await withAPI(configure: { $0.sampling.statusReadingsMaxAge = .seconds(3600) }) { http, _ in
            @Sendable func askAll(_ uri: String, _ member: String) async throws -> [String] {
                try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<20 {
                        group.addTask {
                            let answer = try Self.object(try await http.execute(uri: uri, method: .get, headers: Self.auth))
                            let part = try #require(answer[member])
                            return String(decoding: try JSONSerialization.data(withJSONObject: part, options: [.sortedKeys]), as: UTF8.self)
                        }
                    }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
            }
            for n in 0..<3 {
                _ = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("shared-\(n)"))
            }
            let stats = try await askAll("/v1/stats", "jobs")
            #expect(Set(stats).count == 1 && stats[0].contains("\"available\":3"), "\(stats)")
            _ = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("shared-late"))
            let later = try await askAll("/v1/stats", "jobs")
            #expect(later == stats, "the reading of 3 jobs serves every answer within its age: \(later)")

            let index = try await askAll("/v1/index", "addresses")
            try await Self.sql(
                """
                INSERT INTO flutterbye.chain_address_cursors (address, role, newest_signature, newest_slot, signatures_seen)
                VALUES ('CRqft4ezes93aTpGML4G1REU3aXHKkMzuPp4ZLBWCFev', 'mint', 'sig-9', 9, 3)
                """)
            let laterIndex = try await askAll("/v1/index", "addresses")
            #expect(Set(index).count == 1 && index[0] == "[]" && laterIndex == index, "\(index) then \(laterIndex)")
        }
    }

    @Test func statsShowJobsByStateLatencyAndSuccess() async throws {
        try await withAPI { http, queue in
            for n in 0..<4 {
                _ = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("stats-\(n)"))
            }
            // Two confirmed 2 s and 10 s after they were enqueued (in the last half minute); one failed for good.
            try await Self.sql(
                """
                UPDATE flutterbye.token_jobs SET state = 'confirmed', signature = 'sig-' || id,
                    created_at = now() - make_interval(secs => 30), confirmed_at = now() - make_interval(secs => 28)
                WHERE idempotency_key = 'stats-0'
                """)
            try await Self.sql(
                """
                UPDATE flutterbye.token_jobs SET state = 'confirmed', signature = 'sig-' || id,
                    created_at = now() - make_interval(secs => 30), confirmed_at = now() - make_interval(secs => 20)
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
            // stats-3 is available and due since it was enqueued, moments ago.
            let waiting = try #require(jobs["oldest_waiting_seconds"] as? Double)
            #expect(waiting >= 0 && waiting < 300, "\(waiting)")
            // The last hour minute by minute: the two confirmations and the failure in the minutes they happened in.
            let minutes = try #require(jobs["minutes"] as? [[String: Any]])
            #expect(minutes.count == 60)
            let starts = try minutes.map { try #require(($0["start"] as? String).flatMap { try? Date($0, strategy: .iso8601) }) }
            #expect(
                zip(starts, starts.dropFirst()).allSatisfy { $1.timeIntervalSince($0) == 60 }
                    && starts.allSatisfy {
                        $0.timeIntervalSince1970.truncatingRemainder(dividingBy: 60) == 0
                    })
            #expect(minutes.compactMap { $0["confirmed"] as? Int }.reduce(0, +) == 2)
            #expect(minutes.compactMap { $0["failed"] as? Int }.reduce(0, +) == 1)
            let busy = minutes.filter { ($0["confirmed"] as? Int ?? 0) > 0 }
            if busy.count == 1 {
                // Both in one minute (unless the 10 s one crossed into the next): the hour's figures.
                #expect(abs((busy[0]["confirmation_p50_seconds"] as? Double ?? 0) - 6) < 1e-6, "\(busy)")
                #expect(abs((busy[0]["confirmation_p95_seconds"] as? Double ?? 0) - 9.6) < 1e-6, "\(busy)")
            }
            #expect(minutes.filter { ($0["confirmed"] as? Int ?? 0) == 0 }.allSatisfy { $0["confirmation_p50_seconds"] is NSNull })
            let rpc = try #require(stats["rpc"] as? [String: Any])
            // The process's counters move while other suites run: the rate is checked against the counts of the same answer.
            let requests = try #require(rpc["requests"] as? Int)
            let failed = try #require(rpc["failed_requests"] as? Int)
            if requests == 0 {
                #expect(rpc["error_rate"] is NSNull, "\(rpc)")
            } else {
                let rate = try #require(rpc["error_rate"] as? Double, "\(rpc)")
                #expect(abs(rate - Double(failed) / Double(requests)) < 1e-12, "\(rpc)")
            }
            #expect(try await http.execute(uri: "/v1/stats", method: .get).status == .unauthorized)
            _ = queue
        }
    }
}
