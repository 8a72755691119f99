import Foundation
import PostgresNIO

/// The queue's recent record minute by minute, for the status page's latency chart.
extension TokenJobQueue {
    /// The last `count` minutes (1 to a day) by the database's clock, oldest first, the last the one under way:
    /// in each, the jobs confirmed then with their enqueue-to-confirmation latency (median and 95th percentile, as
    /// `percentile_cont` interpolates them), and the jobs that failed for good then. One statement; minutes with
    /// nothing are filled in by `QueueMinute.series`.
    public func minutes(count: Int) async throws(StoreError) -> [QueueMinute] {
        let count = min(max(count, 1), QueueMinute.maximumCount)
        // The first minute's start, written out where it bounds a scan: the planner estimates the rows of a bound it
        // can evaluate (now() is fixed for the statement), and a bound from a CTE's column it takes for a third of the
        // table, and compiled the statement (JIT) for a third of a big table on every call.
        let since = "to_timestamp((floor(extract(epoch FROM now()) / 60) - \(count - 1)) * 60)"
        let rows = try await run(
            """
            WITH confirmed AS (
                SELECT floor(extract(epoch FROM j.confirmed_at) / 60)::int8 AS minute, count(*)::int8 AS n,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM j.confirmed_at - j.created_at))::float8 AS p50,
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM j.confirmed_at - j.created_at))::float8 AS p95
                FROM flutterbye.token_jobs j WHERE j.confirmed_at >= \(unescaped: since) GROUP BY 1
            ), failed AS (
                SELECT floor(extract(epoch FROM j.finished_at) / 60)::int8 AS minute, count(*)::int8 AS n
                FROM flutterbye.token_jobs j WHERE j.state = 'failed' AND j.finished_at >= \(unescaped: since) GROUP BY 1
            ), minutes AS (
                SELECT minute FROM confirmed UNION SELECT minute FROM failed
            )
            SELECT extract(epoch FROM now())::float8, m.minute, coalesce(c.n, 0)::int8, coalesce(f.n, 0)::int8, c.p50, c.p95
            FROM (SELECT) AS one
            LEFT JOIN minutes m ON true
            LEFT JOIN confirmed c ON c.minute = m.minute
            LEFT JOIN failed f ON f.minute = m.minute
            """, "reading the queue's record by minute")
        var now: Date?
        var recorded: [QueueMinute] = []
        do {
            for row in rows {
                let (clock, minute, confirmed, failed, p50, p95) = try row.decode((Double, Int64?, Int64, Int64, Double?, Double?).self)
                now = Date(timeIntervalSince1970: clock)
                guard let minute else { continue }
                recorded.append(
                    QueueMinute(
                        start: Date(timeIntervalSince1970: Double(minute) * 60), confirmed: Int(confirmed), failed: Int(failed),
                        confirmationMedianSeconds: p50, confirmationP95Seconds: p95))
            }
        } catch {
            throw StoreError(.queryFailed, "cannot read the queue's record by minute: \(error)")
        }
        guard let now else { throw StoreError(.queryFailed, "the queue's record by minute returned no row") }
        return QueueMinute.series(recorded, through: now, count: count)
    }
}
