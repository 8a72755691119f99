import Foundation
import PostgresNIO

/// What an operator does to jobs through the API: cancel and retry.
extension TokenJobQueue {
    /// Cancels a job whose transaction has not been sent: available, retryable or running before its transaction was
    /// stored. A worker running it finds the job gone at its next step and never sends. A job with a stored (so
    /// possibly sent) transaction is refused with `invalidJobState`: that transaction may still land, so the job stays
    /// with the workers, which see it confirmed (or, if it expired unused, sign it again) — never two tokens.
    public func cancel(jobID: Int64) async throws(StoreError) -> TokenJob {
        let rows = try await jobs(
            """
            UPDATE flutterbye.token_jobs
            SET state = 'cancelled', finished_at = now(), lease_expires_at = NULL, updated_at = now()
            WHERE id = \(jobID) AND state IN ('available', 'retryable', 'running') AND \(unescaped: Self.storedNoTransaction())
            RETURNING \(unescaped: Self.columns)
            """, "cancelling job \(jobID)")
        if let job = rows.first { return job }
        let current = try await job(id: jobID)
        if [.confirmed, .finalized].contains(current.state) {
            let landed = current.signature.map { " \($0)" } ?? ""
            throw StoreError(
                .invalidJobState,
                "job \(jobID) is \(current.state.rawValue): its transaction\(landed) landed and created its token, which a cancel cannot undo")
        }
        if let sent = current.signature ?? current.signatures.last, !current.state.isFinished {
            throw StoreError(
                .invalidJobState,
                "job \(jobID) is \(current.state.rawValue) and its transaction \(sent) was already sent, so it may still land; a job can only be cancelled before its transaction is sent. Wait for it to be confirmed"
            )
        }
        if current.state.isFinished {
            throw StoreError(.invalidJobState, "job \(jobID) is \(current.state.rawValue) already: a finished job cannot be cancelled")
        }
        throw StoreError(
            .invalidJobState, "job \(jobID) is \(current.state.rawValue); only jobs whose transaction has not been sent can be cancelled")
    }

    /// Runs a failed job again with a fresh set of attempts (as many as it was enqueued with), numbered after the
    /// attempts it already made, so that its errors and events never show one attempt number twice.
    public func retry(jobID: Int64) async throws(StoreError) -> TokenJob {
        let rows = try await jobs(
            """
            UPDATE flutterbye.token_jobs
            SET state = 'available',
                max_attempts = least(attempt::bigint + coalesce(requested_max_attempts, max_attempts), 2147483647)::integer,
                scheduled_at = now(), finished_at = NULL, updated_at = now()
            WHERE id = \(jobID) AND state = 'failed'
            RETURNING \(unescaped: Self.columns)
            """, "retrying job \(jobID)")
        if let job = rows.first {
            try await notifyWorkers(jobID)
            return job
        }
        let current = try await job(id: jobID)
        throw StoreError(.invalidJobState, "job \(jobID) is \(current.state.rawValue); only failed jobs can be retried")
    }

}
