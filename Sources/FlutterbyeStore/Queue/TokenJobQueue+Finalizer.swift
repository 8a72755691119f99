import PostgresNIO

/// The finalizer's statements: confirmed jobs taken in turn for a finality check, moved to `finalized`, or, when the
/// block that confirmed them was abandoned, given back to the workers.
extension TokenJobQueue {
    /// Takes up to `limit` confirmed jobs for a finality check. Jobs never checked come first (oldest confirmation
    /// first), then those checked longest ago; each job taken is stamped as checked now, so the next call takes others,
    /// and jobs whose transactions never finalize go round with the rest instead of holding them back. Concurrent
    /// finalizers take different jobs.
    public func confirmedJobsToCheck(limit: Int) async throws(StoreError) -> [ConfirmedJobCheck] {
        var result: [ConfirmedJobCheck] = []
        for row in try await run(
            """
            WITH next AS (
                SELECT id FROM flutterbye.token_jobs
                WHERE state = 'confirmed' AND signature IS NOT NULL
                ORDER BY finality_checked_at NULLS FIRST, confirmed_at, id
                LIMIT \(Int64(max(limit, 0)))
                FOR UPDATE SKIP LOCKED
            )
            UPDATE flutterbye.token_jobs j SET finality_checked_at = now()
            FROM next WHERE j.id = next.id
            RETURNING j.id, j.signature, j.signatures, j.mint_address, j.last_valid_block_height
            """, "taking confirmed jobs for a finality check")
        {
            var cells = row.makeIterator()
            // A row that does not decode whole is left out: judged on part of its transactions, it could be misjudged.
            guard let id = try? cells.next()?.decode(Int64.self), let signature = try? cells.next()?.decode(String.self),
                let signatures = try? cells.next()?.decode(StoredSignatures.self).values
            else { continue }
            let mint = try? cells.next()?.decode(String?.self)
            let lastValid = try? cells.next()?.decode(Int64?.self)
            result.append(
                ConfirmedJobCheck(
                    id: id, signature: signature, signatures: signatures, mintAddress: mint ?? nil,
                    lastValidBlockHeight: (lastValid ?? nil).map { UInt64(clamping: $0) }))
        }
        return result
    }

    /// Moves confirmed jobs whose transaction is finalized to `finalized`; returns the ids moved. Several workers
    /// finalize concurrently, so a job no longer confirmed (finalized by another worker, or pruned) is left alone.
    @discardableResult
    public func markFinalized(jobIDs: [Int64]) async throws(StoreError) -> Set<Int64> {
        guard !jobIDs.isEmpty else { return [] }
        var finalized = Set<Int64>()
        for row in try await run(
            """
            UPDATE flutterbye.token_jobs
            SET state = 'finalized', finalized_at = now(), finished_at = now(), lease_expires_at = NULL, updated_at = now()
            WHERE id = ANY(\(jobIDs)::int8[]) AND \(unescaped: Self.stateGuard(.confirmed, alias: nil))
            RETURNING id
            """, "marking \(jobIDs.count) job(s) finalized")
        {
            if let id = try? row.makeRandomAccess()["id"].decode(Int64.self) { finalized.insert(id) }
        }
        return finalized
    }

    /// `markFinalized` of one job: whether this call finalized it.
    @discardableResult
    public func markFinalized(jobID: Int64) async throws(StoreError) -> Bool {
        try await markFinalized(jobIDs: [jobID]).contains(jobID)
    }

    /// Gives confirmed jobs whose block was abandoned back to the workers: retryable now, no longer counted as confirmed,
    /// with `message` among their errors (class `confirmation_abandoned`) and one attempt more if they had used theirs
    /// up (the lost block was not the job's failure). A job is given back only while it is still confirmed by
    /// `signature`: one finalized, pruned or confirmed again meanwhile is left alone. Its stored transactions stay, so
    /// its next runner checks the mint address before it signs again. Returns the ids given back.
    @discardableResult
    public func reopenAbandoned(_ jobs: [(id: Int64, signature: String, message: String)]) async throws(StoreError) -> Set<Int64> {
        guard !jobs.isEmpty else { return [] }
        var reopened = Set<Int64>()
        for row in try await run(
            """
            UPDATE flutterbye.token_jobs j
            SET state = 'retryable', scheduled_at = now(), confirmed_at = NULL, finality_checked_at = NULL, lease_expires_at = NULL,
                max_attempts = greatest(j.max_attempts, least(j.attempt, 2147483646) + 1), updated_at = now(),
                errors = \(unescaped: Self.errorsWithRoom(alias: "j")) || jsonb_build_array(jsonb_build_object(
                    'class', 'confirmation_abandoned', 'message', a.message, 'attempt', j.attempt, 'at', now()))
            FROM unnest(\(jobs.map(\.id))::int8[], \(jobs.map(\.signature))::text[], \(jobs.map(\.message))::text[]) AS a(id, signature, message)
            WHERE j.id = a.id AND j.signature = a.signature AND \(unescaped: Self.stateGuard(.confirmed))
            RETURNING j.id
            """, "giving back \(jobs.count) job(s) whose confirmation was abandoned")
        {
            if let id = try? row.makeRandomAccess()["id"].decode(Int64.self) { reopened.insert(id) }
        }
        if let first = reopened.min() {
            try await notifyWorkers(first)
        }
        return reopened
    }

    /// Wakes the workers (`NOTIFY` on `notificationChannel`) for job `jobID`, made runnable by an operator or the
    /// finalizer rather than by an enqueue, which notifies by itself.
    func notifyWorkers(_ jobID: Int64) async throws(StoreError) {
        _ = try await run("SELECT pg_notify(\(Self.notificationChannel), \(String(jobID)))", "notifying workers")
    }
}
