public import Foundation
import PostgresNIO

/// The pruner (River's shape): finished jobs older than the retention go.
extension TokenJobQueue {

    /// Deletes jobs that finished (finalized, failed or cancelled) before `cutoff`; returns how many. The conditions
    /// are checked again on each row the DELETE locks: a failed job an operator retries meanwhile is kept (the
    /// subquery's choice alone, made before the retry committed, would delete it).
    @discardableResult
    public func prune(finishedBefore cutoff: Date, limit: Int = 10_000) async throws(StoreError) -> Int {
        try await run(
            """
            DELETE FROM flutterbye.token_jobs
            WHERE id IN (
                SELECT id FROM flutterbye.token_jobs
                WHERE finished_at < \(cutoff) AND state IN ('finalized', 'failed', 'cancelled')
                ORDER BY finished_at LIMIT \(limit))
              AND finished_at < \(cutoff) AND state IN ('finalized', 'failed', 'cancelled')
            RETURNING id
            """, "pruning finished jobs"
        ).count
    }
}
