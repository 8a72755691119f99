import Foundation
import PostgresNIO

/// Reading jobs: one by id or key, pages of them, counts by state, the recent record; and the decoding of a job row.
extension TokenJobQueue {
    /// The job with `id`; `jobNotFound` when there is none.
    public func job(id: Int64) async throws(StoreError) -> TokenJob {
        guard let job = try await jobs("SELECT \(unescaped: Self.columns) FROM flutterbye.token_jobs WHERE id = \(id)", "reading job \(id)").first
        else {
            throw StoreError(.jobNotFound, "there is no job \(id)")
        }
        return job
    }

    /// The job enqueued with `idempotencyKey`, if any.
    public func job(idempotencyKey: String) async throws(StoreError) -> TokenJob? {
        try await jobs(
            """
            SELECT \(unescaped: Self.columns) FROM flutterbye.token_jobs
            WHERE id = (SELECT job_id FROM flutterbye.token_job_keys WHERE idempotency_key = \(idempotencyKey))
            """,
            "reading job \(idempotencyKey)"
        ).first
    }

    /// A page of jobs, newest first: those with an id below `before` (nil: from the newest), in `state` when given,
    /// at most `limit` (1 to 500). Keyset pagination: the next page starts before the last job of this one, so pages
    /// neither repeat nor skip a job while new ones arrive.
    public func jobs(state: TokenJobState?, limit: Int, before: Int64?) async throws(StoreError) -> [TokenJob] {
        let limit = min(max(limit, 1), 500)
        return try await jobs(
            """
            SELECT \(unescaped: Self.columns) FROM flutterbye.token_jobs
            WHERE (\(state?.rawValue)::text IS NULL OR state = \(state?.rawValue)) AND (\(before)::int8 IS NULL OR id < \(before))
            ORDER BY id DESC LIMIT \(limit)
            """, "listing jobs")
    }

    /// The queue's recent record: over the last `window`, the enqueue-to-confirmation latency (median and 95th
    /// percentile) of the jobs confirmed in it, and how many jobs were confirmed and how many failed for good.
    public func statistics(window: Duration) async throws(StoreError) -> TokenJobStatistics {
        let seconds = Double(window.components.seconds)
        let rows = try await run(
            """
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM confirmed_at - created_at))::float8 AS p50,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM confirmed_at - created_at))::float8 AS p95,
                   count(*)::int8 AS confirmed,
                   (SELECT count(*) FROM flutterbye.token_jobs
                    WHERE state = 'failed' AND finished_at >= now() - make_interval(secs => \(seconds)))::int8 AS failed
            FROM flutterbye.token_jobs
            WHERE confirmed_at >= now() - make_interval(secs => \(seconds))
            """, "reading the queue's statistics")
        guard let row = rows.first else { throw StoreError(.queryFailed, "the queue's statistics query returned no row") }
        do {
            let (p50, p95, confirmed, failed) = try row.decode((Double?, Double?, Int64, Int64).self)
            return TokenJobStatistics(
                window: window, confirmationMedianSeconds: p50, confirmationP95Seconds: p95, confirmed: Int(confirmed), failed: Int(failed))
        } catch {
            throw StoreError(.queryFailed, "cannot read the queue's statistics: \(error)")
        }
    }

    /// How many jobs are in each state, exactly, in one snapshot, without reading every job kept: the finalized ones
    /// (nearly all of them) from the count the schema's triggers keep, the others through their states' partial
    /// indexes. A state without jobs is left out.
    public func countsByState() async throws(StoreError) -> [TokenJobState: Int] {
        var counts: [TokenJobState: Int] = [:]
        let rows = try await run(
            """
            SELECT state, count(*)::int8 AS n FROM flutterbye.token_jobs WHERE state IN ('available', 'retryable') GROUP BY state
            UNION ALL
            SELECT state, count(*)::int8 FROM flutterbye.token_jobs WHERE state IN ('running', 'submitted', 'confirmed') GROUP BY state
            UNION ALL
            SELECT state, count(*)::int8 FROM flutterbye.token_jobs WHERE state IN ('failed', 'cancelled') GROUP BY state
            UNION ALL
            SELECT 'finalized', jobs FROM flutterbye.token_jobs_finalized WHERE jobs > 0
            """, "counting jobs")
        for row in rows {
            let cells = row.makeRandomAccess()
            if let state = try? cells["state"].decode(String.self), let n = try? cells["n"].decode(Int64.self),
                let known = TokenJobState(rawValue: state)
            {
                counts[known] = Int(n)
            }
        }
        return counts
    }

    /// How long the oldest waiting job has been due: of the jobs a worker may claim now (`available` or `retryable`,
    /// their `scheduled_at` passed), the time since the earliest moment one became claimable, the later of its
    /// `scheduled_at` and its `created_at` (a job scheduled before it was enqueued waits from its creation), by the
    /// database's clock; zero when none waits. A job scheduled for later is not waiting yet.
    public func oldestWaitingJobAge() async throws(StoreError) -> Duration {
        try await age(
            """
            SELECT coalesce(extract(epoch FROM now() - min(greatest(scheduled_at, created_at))), 0)::float8 AS age
            FROM flutterbye.token_jobs WHERE state IN ('available', 'retryable') AND scheduled_at <= now()
            """, "the oldest waiting job's age")
    }

    /// How long ago the oldest job still `confirmed` was confirmed; zero when none is. A transaction finalizes some
    /// 13 s after it is confirmed: a job confirmed for long is one the finalizer does not reach (no worker runs, the RPC
    /// fails) or whose transaction's block was abandoned after its confirmation, so that its token may not exist.
    public func oldestUnfinalizedConfirmationAge() async throws(StoreError) -> Duration {
        try await age(
            """
            SELECT coalesce(extract(epoch FROM now() - min(confirmed_at)), 0)::float8 AS age
            FROM flutterbye.token_jobs WHERE state = 'confirmed'
            """, "the oldest unfinalized confirmation's age")
    }

    /// The one age in seconds `query` reads, clamped: a clock far off gives a large age, never a trap.
    private func age(_ query: PostgresQuery, _ what: String) async throws(StoreError) -> Duration {
        let rows = try await run(query, "reading \(what)")
        guard let seconds = try? rows.first?.decode(Double.self) else {
            throw StoreError(.queryFailed, "the query of \(what) returned no row")
        }
        let clamped = seconds.isFinite ? min(max(0, seconds), 1e9) : 0
        return .milliseconds(Int64((clamped * 1000).rounded()))
    }

    /// A job from a row of `TokenJobQueue.columns`, its cells read in that order (a lookup by column name for each of
    /// them cost a claim more than the rest of its decoding).
    static func decodeJob(_ row: PostgresRow) throws -> TokenJob {
        guard row.count == columnCount else {
            throw StoreError(.queryFailed, "a job row has \(row.count) columns, not the \(columnCount) the queue selects")
        }
        var cells = JobCells(row.makeIterator())
        let id: Int64 = try cells.next()
        let idempotencyKey: String = try cells.next()
        let state: String = try cells.next()
        let tokenProgram: String = try cells.next()
        let decimals: Int16 = try cells.next()
        let name: String = try cells.next()
        let symbol: String = try cells.next()
        let uri: String = try cells.next()
        let amount: String = try cells.next()
        let recipient: String = try cells.next()
        let memo: String? = try cells.next()
        let priority: Int16 = try cells.next()
        let scheduledAt: Date = try cells.next()
        let attempt: Int32 = try cells.next()
        let maxAttempts: Int32 = try cells.next()
        let attemptedBy: String? = try cells.next()
        let leaseToken: Int64? = try cells.next()
        let leaseExpiresAt: Date? = try cells.next()
        let errorsText: String = try cells.next()
        let mintAddress: String? = try cells.next()
        let signature: String? = try cells.next()
        let signatures: StoredSignatures = try cells.next()
        let raw: ByteBuffer? = try cells.next()
        let lastValidBlockHeight: Int64? = try cells.next()
        let createdAt: Date = try cells.next()
        let updatedAt: Date = try cells.next()
        let submittedAt: Date? = try cells.next()
        let confirmedAt: Date? = try cells.next()
        let finalizedAt: Date? = try cells.next()
        let finishedAt: Date? = try cells.next()
        let mintAuthority: String = try cells.next()
        let freezeAuthority: String = try cells.next()
        let metadataUpdateAuthority: String? = try cells.next()
        let additionalMetadata: String? = try cells.next()
        let request = TokenJobRequest(
            idempotencyKey: idempotencyKey, tokenProgram: tokenProgram, decimals: Int(decimals), name: name, symbol: symbol, uri: uri,
            amount: amount, recipient: recipient, memo: memo, priority: Int(priority), scheduledAt: scheduledAt,
            maxAttempts: Int(maxAttempts), mintAuthority: mintAuthority, freezeAuthority: freezeAuthority,
            metadataUpdateAuthority: metadataUpdateAuthority, additionalMetadata: TokenJobRequest.additionalMetadata(column: additionalMetadata))
        return TokenJob(
            id: id, request: request, state: TokenJobState(rawValue: state) ?? .failed, attempt: Int(attempt), attemptedBy: attemptedBy,
            leaseToken: leaseToken, leaseExpiresAt: leaseExpiresAt,
            errors: errorsText == "[]" ? [] : Self.decodeAttemptErrors(errorsText), mintAddress: mintAddress, signature: signature,
            signatures: signatures.values, rawTransaction: raw.map { Array($0.readableBytesView) },
            lastValidBlockHeight: lastValidBlockHeight.map { UInt64(clamping: $0) }, createdAt: createdAt, updatedAt: updatedAt,
            submittedAt: submittedAt, confirmedAt: confirmedAt, finalizedAt: finalizedAt, finishedAt: finishedAt)
    }

    /// The `errors` column's attempts (jsonb rendered as text); an unreadable one is left out.
    static func decodeAttemptErrors(_ text: String) -> [TokenJobAttemptError] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return Self.parseTimestamp(text) ?? Date(timeIntervalSince1970: 0)
        }
        return (try? decoder.decode([TokenJobAttemptError].self, from: Data(text.utf8))) ?? []
    }

    /// Postgres's jsonb rendering of a timestamptz (`2026-11-23T09:30:00.123456+00:00`).
    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

/// The cells of a job row, read one after another.
private struct JobCells {
    var iterator: PostgresRow.Iterator

    init(_ iterator: PostgresRow.Iterator) { self.iterator = iterator }

    mutating func next<Value: PostgresDecodable>() throws -> Value {
        guard let cell = iterator.next() else { throw StoreError(.queryFailed, "a job row ended before its columns did") }
        return try cell.decode(Value.self)
    }
}
