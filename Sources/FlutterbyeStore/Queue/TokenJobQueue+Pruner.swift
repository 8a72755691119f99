public import Foundation
import PostgresNIO

/// The pruner (River's shape): finished jobs older than the retention go.
extension TokenJobQueue {

    /// Deletes jobs that finished (finalized, failed or cancelled) before `cutoff`; returns how many.
    @discardableResult
    public func prune(finishedBefore cutoff: Date, limit: Int = 10_000) async throws(StoreError) -> Int {
        try await run(
            """
            DELETE FROM flutterbye.token_jobs
            WHERE id IN (
                SELECT id FROM flutterbye.token_jobs
                WHERE finished_at < \(cutoff) AND state IN ('finalized', 'failed', 'cancelled')
                ORDER BY finished_at LIMIT \(limit))
            RETURNING id
            """, "pruning finished jobs"
        ).count
    }
}
