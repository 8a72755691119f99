import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// The queue's last hour minute by minute (`GET /v1/stats`' `minutes`, the status page's latency chart), against
/// PostgreSQL: each minute's confirmations with their latency percentiles, its failures, nothing from outside the hour.
extension TokenJobQueueTests {
    @Test func eachMinuteHasItsConfirmationsLatencyPercentilesAndFailures() async throws {
        try await withQueue { queue, client in
            var databaseNow = 0.0
            for try await (seconds, ) in try await client.query("SELECT extract(epoch FROM now())::float8", logger: TestDatabase.logger)
                .decode((Double,).self)
            {
                databaseNow = seconds
            }
            let minuteUnderWay = (databaseNow / 60).rounded(.down) * 60
            let tenAgo = minuteUnderWay - 600
            let twoAgo = minuteUnderWay - 120
            // Ten minutes ago, four jobs confirmed 1, 2, 3 and 10 s after they were enqueued: percentile_cont gives the
            // median halfway between 2 and 3, and the 95th percentile 85% of the way from 3 to 10 (rank 0.95 x 3).
            // Two minutes ago, one job confirmed after 7 s, and two failed. An hour and more ago, one of each.
            let confirmations: [(key: String, at: Double, latency: Double)] = [
                ("ten-1", tenAgo + 5, 1), ("ten-2", tenAgo + 20, 2), ("ten-3", tenAgo + 40, 3), ("ten-4", tenAgo + 59, 10),
                ("two-1", twoAgo + 1, 7), ("old-1", minuteUnderWay - 61 * 60, 4),
            ]
            for confirmation in confirmations {
                let id = try await queue.enqueue(Self.request(confirmation.key)).jobID
                try await client.query(
                    """
                    UPDATE flutterbye.token_jobs SET state = 'confirmed', signature = 'sig-' || id,
                        confirmed_at = to_timestamp(\(confirmation.at)), created_at = to_timestamp(\(confirmation.at - confirmation.latency))
                    WHERE id = \(id)
                    """, logger: TestDatabase.logger)
            }
            for (key, at) in [("failed-1", twoAgo + 10), ("failed-2", twoAgo + 50), ("failed-old", minuteUnderWay - 70 * 60)] {
                let id = try await queue.enqueue(Self.request(key)).jobID
                try await client.query(
                    "UPDATE flutterbye.token_jobs SET state = 'failed', finished_at = to_timestamp(\(at)) WHERE id = \(id)",
                    logger: TestDatabase.logger)
            }
            let minutes = try await queue.minutes(count: 60)
            #expect(minutes.count == 60)
            // The database's clock may have passed into the next minute since it was read: the last is that one.
            let last = try #require(minutes.last).start.timeIntervalSince1970
            #expect(last == minuteUnderWay || last == minuteUnderWay + 60, "\(last) \(minuteUnderWay)")
            let ten = try #require(minutes.first { $0.start.timeIntervalSince1970 == tenAgo })
            #expect(ten.confirmed == 4 && ten.failed == 0)
            #expect(abs((ten.confirmationMedianSeconds ?? 0) - 2.5) < 1e-6, "\(ten)")
            #expect(abs((ten.confirmationP95Seconds ?? 0) - 8.95) < 1e-6, "\(ten)")
            let two = try #require(minutes.first { $0.start.timeIntervalSince1970 == twoAgo })
            #expect(two.confirmed == 1 && two.failed == 2 && two.confirmationMedianSeconds == 7 && two.confirmationP95Seconds == 7, "\(two)")
            let others = minutes.filter { ![tenAgo, twoAgo].contains($0.start.timeIntervalSince1970) }
            #expect(others.allSatisfy { $0.confirmed == 0 && $0.failed == 0 && $0.confirmationMedianSeconds == nil }, "\(others)")
        }
    }
}
