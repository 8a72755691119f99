import Foundation
import Logging
import PostgresNIO

/// The sender benchmark's side of `flutterbye.token_jobs`: enqueues jobs the way the backend does (SQL
/// `enqueue_token_job`, a burst in one statement) and reads their states and timestamps. It never changes a job
/// after enqueueing it, so what it reads is the worker's doing alone.
struct SenderJobs: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// How far the jobs have come. A job has landed once it is `confirmed` or `finalized`.
    struct Progress: Sendable {
        var total = 0
        var landed = 0
        var finalized = 0
        var failed = 0
        var cancelled = 0
        var retrying = 0

        /// Jobs that will not move any more without an operator, or that landed.
        var settled: Int { landed + failed + cancelled }
        var finalizedOrGone: Int { finalized + failed + cancelled }

        var text: String {
            "\(landed)/\(total) landed, \(finalized) finalized" + (failed > 0 ? ", \(failed) failed" : "")
                + (cancelled > 0 ? ", \(cancelled) cancelled" : "") + (retrying > 0 ? ", \(retrying) waiting to retry" : "")
        }
    }

    /// One landed job: its key, enqueue-to-landing time on the database's clock, and its transaction's signature.
    struct LandedJob: Sendable {
        var key: String
        var seconds: Double
        var signature: String?
        /// When the job was marked confirmed (or finalized, when it skipped confirmed), in seconds since 1970.
        var confirmedAt: Double
    }

    /// Enqueues jobs `prefix-i` for each i in `indices` in one statement, so they all appear at once (the statement's
    /// transaction is their `created_at`); even i ask for a classic Token mint, odd ones Token-2022, each with a memo.
    /// Returns how many were new.
    @discardableResult
    func enqueue(prefix: String, indices: ClosedRange<Int>, recipient: String) async throws -> Int {
        let first = indices.lowerBound
        let last = indices.upperBound
        let rows = try await client.query(
            """
            SELECT count(*) AS inserted
            FROM generate_series(\(first)::integer, \(last)::integer) AS i,
                LATERAL flutterbye.enqueue_token_job(
                    idempotency_key => \(prefix) || '-' || i,
                    token_program => CASE WHEN i % 2 = 0 THEN 'token' ELSE 'token-2022' END,
                    decimals => 6,
                    name => 'Flutterbye Bench ' || i,
                    symbol => 'FBENCH',
                    uri => 'https://flutterbye.example/bench/' || i || '.json',
                    amount => '1000000000',
                    recipient => \(recipient),
                    memo => 'flutterbye bench ' || \(prefix) || '-' || i) AS e
            WHERE e.inserted
            """, logger: logger)
        for try await inserted in rows.decode(Int.self) { return inserted }
        return 0
    }

    func progress() async throws -> Progress {
        let rows = try await client.query(
            """
            SELECT count(*), count(*) FILTER (WHERE state IN ('confirmed', 'finalized')), count(*) FILTER (WHERE state = 'finalized'),
                count(*) FILTER (WHERE state = 'failed'), count(*) FILTER (WHERE state = 'cancelled'), count(*) FILTER (WHERE state = 'retryable')
            FROM flutterbye.token_jobs
            """, logger: logger)
        for try await (total, landed, finalized, failed, cancelled, retrying) in rows.decode((Int, Int, Int, Int, Int, Int).self) {
            return Progress(total: total, landed: landed, finalized: finalized, failed: failed, cancelled: cancelled, retrying: retrying)
        }
        return Progress()
    }

    /// Landed jobs and the seconds from the first job's `created_at` to the last landed job's `confirmed_at` (its
    /// `finalized_at` if a sender skips `confirmed`), on the database's clock; nil seconds when none landed.
    func landedSpan() async throws -> (landed: Int, seconds: Double?) {
        let rows = try await client.query(
            """
            SELECT count(*) FILTER (WHERE state IN ('confirmed', 'finalized')),
                extract(epoch FROM max(coalesce(confirmed_at, finalized_at)) FILTER (WHERE state IN ('confirmed', 'finalized'))
                    - min(created_at))::float8
            FROM flutterbye.token_jobs
            """, logger: logger)
        for try await (landed, seconds) in rows.decode((Int, Double?).self) { return (landed, seconds) }
        return (0, nil)
    }

    /// Every landed job, in enqueue order.
    func landedJobs() async throws -> [LandedJob] {
        let rows = try await client.query(
            """
            SELECT idempotency_key, extract(epoch FROM coalesce(confirmed_at, finalized_at) - created_at)::float8, signature,
                extract(epoch FROM coalesce(confirmed_at, finalized_at))::float8
            FROM flutterbye.token_jobs WHERE state IN ('confirmed', 'finalized') ORDER BY id
            """, logger: logger)
        var jobs: [LandedJob] = []
        for try await (key, seconds, signature, confirmedAt) in rows.decode((String, Double, String?, Double).self) {
            jobs.append(LandedJob(key: key, seconds: seconds, signature: signature, confirmedAt: confirmedAt))
        }
        return jobs
    }

    /// Connections of other sessions to this database whose last statement was a LISTEN: a worker that is ready to
    /// be woken by enqueues.
    func listeners() async throws -> Int {
        let rows = try await client.query(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// The last recorded error of up to `limit` jobs that have one (failed or retried jobs), newest first.
    func recentErrors(limit: Int = 3) async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT 'job ' || id || ' (' || state || ', attempt ' || attempt || '): ' || left((errors -> -1)::text, 400)
            FROM flutterbye.token_jobs WHERE jsonb_array_length(errors) > 0 ORDER BY updated_at DESC LIMIT \(limit)
            """, logger: logger)
        var errors: [String] = []
        for try await line in rows.decode(String.self) { errors.append(line) }
        return errors
    }
}
