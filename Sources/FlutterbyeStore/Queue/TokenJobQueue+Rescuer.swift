import PostgresNIO

/// The rescuer (River's shape): jobs whose lease expired (their worker died or stalled) go back to the queue.
extension TokenJobQueue {

    /// Gives back jobs whose lease expired (their worker died or hung): never-submitted jobs on their last attempt
    /// fail (no `signatures` and no `signature`: a row may have one without the other); every other one becomes
    /// retryable at once, keeping its stored transactions so the next worker first checks whether one landed. Returns how many jobs became retryable and how many failed.
    @discardableResult
    public func rescueExpiredLeases() async throws(StoreError) -> LeaseRescue {
        let query: PostgresQuery = """
            UPDATE flutterbye.token_jobs
            SET state = CASE WHEN \(unescaped: Self.storedNoTransaction()) AND attempt >= max_attempts
                    THEN 'failed' ELSE 'retryable' END,
                finished_at = CASE WHEN \(unescaped: Self.storedNoTransaction()) AND attempt >= max_attempts THEN now() END,
                scheduled_at = now(), lease_expires_at = NULL, updated_at = now(),
                errors = \(unescaped: Self.errorsWithRoom()) || jsonb_build_array(jsonb_build_object(
                    'class', 'lease_expired', 'attempt', attempt, 'at', now(),
                    'message', 'the lease of worker ' || coalesce(attempted_by, '?') || ' expired in state ' || state
                        || ' (the worker stopped or lost the database); rescued'))
            WHERE state IN ('running', 'submitted') AND lease_expires_at < now()
            RETURNING state
            """
        var rescued = LeaseRescue(retried: 0, failed: 0)
        for row in try await run(query, "rescuing jobs with expired leases") {
            if (try? row.makeRandomAccess()["state"].decode(String.self)) == TokenJobState.failed.rawValue {
                rescued.failed += 1
            } else {
                rescued.retried += 1
            }
        }
        if rescued.count > 0 {
            logger.warning("rescued jobs with expired leases", metadata: ["retryable": "\(rescued.retried)", "failed": "\(rescued.failed)"])
        }
        return rescued
    }
}
