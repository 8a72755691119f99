public import Foundation
public import Logging
public import PostgresNIO

/// The durable token job queue in PostgreSQL (`flutterbye.token_jobs`): enqueue with idempotency keys, claim in
/// batches with `FOR UPDATE SKIP LOCKED` under a renewable lease, record each step of the sender before it
/// happens, rescue jobs whose worker died, and prune finished jobs. Every state change a worker makes is guarded
/// by its lease (`attempted_by`), so a worker that lost a job can never overwrite the one that holds it now.
public struct TokenJobQueue: Sendable {
    /// The NOTIFY channel `enqueue_token_job()` and `enqueue` signal on (payload: a new job's id; one notification per
    /// statement, whatever number of jobs it enqueued).
    public static let notificationChannel = "flutterbye_token_jobs"

    /// One job's confirmed transaction, as `markConfirmed` records it.
    struct Confirmation: Sendable, Hashable {
        var jobID: Int64
        var signature: String
        /// The worker that must still hold the job.
        var workerID: String
    }

    private let database: QueueDatabase
    private let enqueuer: StatementCoalescer<TokenJobRequest, TokenJobEnqueueResult>
    private let confirmer: StatementCoalescer<[Confirmation], Set<Int64>>

    /// A queue on a running `PostgresClient`. A statement that gets no answer within `statementTimeout` (waiting
    /// for a connection included) fails with `databaseUnavailable` instead of waiting for ever, so a worker whose
    /// database went away and came back never stays stuck on a request the pool lost. Such a statement is abandoned,
    /// not undone: it may still take effect, which every step of the queue allows (each is safe to repeat).
    ///
    /// Concurrent `enqueue` calls, and concurrent `markConfirmed` calls, are gathered into one statement each while
    /// earlier ones run, with at most `maxBatchesInFlight` such statements at a time (per kind); a lone call runs
    /// at once.
    public init(client: PostgresClient, logger: Logger, statementTimeout: Duration = .seconds(30), maxBatchesInFlight: Int = 2) {
        let database = QueueDatabase(client: client, logger: logger, statementTimeout: statementTimeout)
        self.database = database
        enqueuer = StatementCoalescer(maxInFlight: maxBatchesInFlight, maxBatch: 500, minBatchAlongside: 4) { requests in
            await database.enqueueBatch(requests)
        }
        confirmer = StatementCoalescer(maxInFlight: maxBatchesInFlight, maxBatch: 100) { batches in
            await database.confirmBatches(batches)
        }
    }

    private var logger: Logger { database.logger }

    // MARK: Enqueue

    /// Enqueues a job. Bad input throws `invalidJob` naming the field (checked here by the rules of
    /// `flutterbye.enqueue_token_job`, the statement the backend runs, and again by the database); a reused key
    /// returns the existing job (`inserted == false`), or throws `idempotencyConflict` when its parameters differ.
    /// Concurrent calls share one INSERT statement; each gets its own answer.
    public func enqueue(_ request: TokenJobRequest) async throws(StoreError) -> TokenJobEnqueueResult {
        try request.validate()
        return try await enqueuer.submit(request).get()
    }

    // MARK: Claim, lease, rescue

    /// Claims up to `limit` runnable jobs (available, or retryable and due), highest priority first, for
    /// `workerID`, with a lease of `lease`. Jobs locked by another claimer are skipped, never waited for.
    public func claim(workerID: String, limit: Int, lease: Duration) async throws(StoreError) -> [TokenJob] {
        try await database.execute(
            ClaimStatement(limit: Int64(limit), workerID: workerID, leaseMilliseconds: Self.milliseconds(lease)), "claiming jobs")
    }

    /// Extends the lease of the jobs `workerID` still holds; returns the ids it holds (a job missing from the
    /// answer was rescued or cancelled and must be abandoned).
    public func renewLeases(workerID: String, jobIDs: [Int64], lease: Duration) async throws(StoreError) -> Set<Int64> {
        guard !jobIDs.isEmpty else { return [] }
        let query: PostgresQuery = """
            UPDATE flutterbye.token_jobs
            SET lease_expires_at = now() + \(Self.milliseconds(lease)) * interval '1 millisecond', updated_at = now()
            WHERE id = ANY(\(jobIDs)) AND attempted_by = \(workerID) AND state IN ('running', 'submitted', 'confirmed')
            RETURNING id
            """
        var held = Set<Int64>()
        for row in try await run(query, "renewing leases") {
            if let id = try? row.makeRandomAccess()["id"].decode(Int64.self) { held.insert(id) }
        }
        return held
    }

    /// Gives back jobs whose lease expired (their worker died or hung): never-submitted jobs on their last attempt
    /// fail; every other one becomes retryable at once, keeping its stored transaction so the next worker first
    /// checks whether it landed. Returns how many jobs were rescued.
    @discardableResult
    public func rescueExpiredLeases() async throws(StoreError) -> Int {
        let query: PostgresQuery = """
            UPDATE flutterbye.token_jobs
            SET state = CASE WHEN signature IS NULL AND attempt >= max_attempts THEN 'failed' ELSE 'retryable' END,
                finished_at = CASE WHEN signature IS NULL AND attempt >= max_attempts THEN now() END,
                scheduled_at = now(), lease_expires_at = NULL, updated_at = now(),
                errors = errors || jsonb_build_array(jsonb_build_object(
                    'class', 'lease_expired', 'attempt', attempt, 'at', now(),
                    'message', 'the lease of worker ' || coalesce(attempted_by, '?') || ' expired in state ' || state
                        || ' (the worker stopped or lost the database); rescued'))
            WHERE state IN ('running', 'submitted') AND lease_expires_at < now()
            RETURNING id
            """
        let rescued = try await run(query, "rescuing jobs with expired leases").count
        if rescued > 0 { logger.warning("rescued jobs with expired leases", metadata: ["count": "\(rescued)"]) }
        return rescued
    }

    // MARK: The sender's steps

    /// Stores the mint address the job will create (derived deterministically, before anything is built).
    public func recordMint(jobID: Int64, workerID: String, mintAddress: String) async throws(StoreError) {
        try await update(
            """
            UPDATE flutterbye.token_jobs SET mint_address = \(mintAddress), updated_at = now()
            WHERE id = \(jobID) AND attempted_by = \(workerID) AND state IN ('running', 'submitted')
            RETURNING id
            """, jobID: jobID, "recording the mint")
    }

    /// Stores the signed transaction, its signature and last valid block height: called before the first send,
    /// so that whatever happens next, the job knows what may have landed.
    public func recordSubmission(
        jobID: Int64, workerID: String, signature: String, rawTransaction: [UInt8], lastValidBlockHeight: UInt64
    ) async throws(StoreError) {
        let raw = ByteBuffer(bytes: rawTransaction)
        try await update(
            """
            UPDATE flutterbye.token_jobs
            SET state = 'submitted', signature = \(signature), raw_transaction = \(raw),
                last_valid_block_height = \(Int64(clamping: lastValidBlockHeight)), submitted_at = now(), updated_at = now()
            WHERE id = \(jobID) AND attempted_by = \(workerID) AND state IN ('running', 'submitted')
            RETURNING id
            """, jobID: jobID, "recording the submission")
    }

    /// The stored transaction is confirmed: the job is done for the backend (finalization follows).
    public func markConfirmed(jobID: Int64, workerID: String, signature: String) async throws(StoreError) {
        guard try await markConfirmed([(jobID, signature)], workerID: workerID).contains(jobID) else {
            throw StoreError(
                .invalidJobState,
                "job \(jobID) is not held by this worker in a state that allows marking the job confirmed; it was rescued, cancelled or finished elsewhere")
        }
    }

    /// Several jobs' transactions are confirmed. Returns the ids marked; a job missing from the answer is no longer
    /// held by `workerID` (rescued, cancelled or finished elsewhere) and was left alone. Concurrent calls (many
    /// runners finishing at once) share one UPDATE statement.
    public func markConfirmed(_ confirmations: [(jobID: Int64, signature: String)], workerID: String) async throws(StoreError) -> Set<Int64> {
        guard !confirmations.isEmpty else { return [] }
        return try await confirmer.submit(confirmations.map { Confirmation(jobID: $0.jobID, signature: $0.signature, workerID: workerID) }).get()
    }

    /// The confirmed transaction is finalized: the job is finished. Several workers finalize concurrently, so a job
    /// that is no longer confirmed (finalized by another worker, or pruned) is left alone: returns whether this
    /// call finalized it.
    @discardableResult
    public func markFinalized(jobID: Int64) async throws(StoreError) -> Bool {
        let rows = try await run(
            """
            UPDATE flutterbye.token_jobs
            SET state = 'finalized', finalized_at = now(), finished_at = now(), lease_expires_at = NULL, updated_at = now()
            WHERE id = \(jobID) AND state = 'confirmed'
            RETURNING id
            """, "marking job \(jobID) finalized")
        return !rows.isEmpty
    }

    /// Records a failed attempt. A permanent error, or a transient one on the last attempt, fails the job;
    /// otherwise it becomes retryable at `retryAt`. Returns the state the job is in now.
    @discardableResult
    public func recordFailure(
        jobID: Int64, workerID: String, errorClass: String, message: String, permanent: Bool, retryAt: Date
    ) async throws(StoreError) -> TokenJobState {
        let query: PostgresQuery = """
            UPDATE flutterbye.token_jobs
            SET state = CASE WHEN \(permanent) OR attempt >= max_attempts THEN 'failed' ELSE 'retryable' END,
                finished_at = CASE WHEN \(permanent) OR attempt >= max_attempts THEN now() END,
                scheduled_at = \(retryAt), lease_expires_at = NULL, updated_at = now(),
                errors = errors || jsonb_build_array(jsonb_build_object(
                    'class', \(errorClass)::text, 'message', \(message)::text, 'attempt', attempt, 'at', now()))
            WHERE id = \(jobID) AND attempted_by = \(workerID) AND state IN ('running', 'submitted')
            RETURNING state
            """
        let rows = try await run(query, "recording a failure of job \(jobID)")
        guard let state = try? rows.first?.makeRandomAccess()["state"].decode(String.self) else {
            throw StoreError(.invalidJobState, "job \(jobID) is no longer held by worker \(workerID); its failure was not recorded")
        }
        return TokenJobState(rawValue: state) ?? .failed
    }

    /// Lets go of a job without counting a failure (graceful shutdown): back to available, or retryable if it was
    /// already submitted, so the next worker resumes it.
    public func release(jobID: Int64, workerID: String) async throws(StoreError) {
        _ = try await run(
            """
            UPDATE flutterbye.token_jobs
            SET state = CASE WHEN signature IS NULL THEN 'available' ELSE 'retryable' END,
                attempt = CASE WHEN signature IS NULL THEN greatest(attempt - 1, 0) ELSE attempt END,
                scheduled_at = now(), lease_expires_at = NULL, updated_at = now()
            WHERE id = \(jobID) AND attempted_by = \(workerID) AND state IN ('running', 'submitted')
            """, "releasing job \(jobID)")
    }

    /// Confirmed jobs waiting to be finalized, oldest first: (id, signature).
    public func confirmedJobs(limit: Int) async throws(StoreError) -> [(id: Int64, signature: String)] {
        var result: [(id: Int64, signature: String)] = []
        for row in try await run(
            """
            SELECT id, signature FROM flutterbye.token_jobs
            WHERE state = 'confirmed' AND signature IS NOT NULL ORDER BY confirmed_at LIMIT \(limit)
            """, "listing confirmed jobs")
        {
            let cells = row.makeRandomAccess()
            if let id = try? cells["id"].decode(Int64.self), let signature = try? cells["signature"].decode(String.self) {
                result.append((id, signature))
            }
        }
        return result
    }

    // MARK: Operators

    /// Cancels a job whose transaction has not been sent: available, retryable or running before its transaction was
    /// stored. A worker running it finds the job gone at its next step and never sends. A job with a stored (so
    /// possibly sent) transaction is refused with `invalidJobState`: that transaction may still land, so the job stays
    /// with the workers, which see it confirmed (or, if it expired unused, sign it again) — never two tokens.
    public func cancel(jobID: Int64) async throws(StoreError) -> TokenJob {
        let rows = try await jobs(
            """
            UPDATE flutterbye.token_jobs
            SET state = 'cancelled', finished_at = now(), lease_expires_at = NULL, updated_at = now()
            WHERE id = \(jobID) AND state IN ('available', 'retryable', 'running') AND signature IS NULL
            RETURNING \(unescaped: Self.columns)
            """, "cancelling job \(jobID)")
        if let job = rows.first { return job }
        let current = try await job(id: jobID)
        if current.signature != nil && !current.state.isFinished {
            throw StoreError(
                .invalidJobState,
                "job \(jobID) is \(current.state.rawValue) and its transaction \(current.signature ?? "") was already sent, so it may still land; a job can only be cancelled before its transaction is sent. Wait for it to be confirmed")
        }
        throw StoreError(.invalidJobState, "job \(jobID) is \(current.state.rawValue); only jobs whose transaction has not been sent can be cancelled")
    }

    /// Runs a failed job again with a fresh set of attempts.
    public func retry(jobID: Int64) async throws(StoreError) -> TokenJob {
        let rows = try await jobs(
            """
            UPDATE flutterbye.token_jobs
            SET state = 'available', attempt = 0, scheduled_at = now(), finished_at = NULL, updated_at = now()
            WHERE id = \(jobID) AND state = 'failed'
            RETURNING \(unescaped: Self.columns)
            """, "retrying job \(jobID)")
        if let job = rows.first {
            _ = try await run("SELECT pg_notify(\(Self.notificationChannel), \(String(jobID)))", "notifying workers")
            return job
        }
        let current = try await job(id: jobID)
        throw StoreError(.invalidJobState, "job \(jobID) is \(current.state.rawValue); only failed jobs can be retried")
    }

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

    // MARK: Reading

    /// The job with `id`; `jobNotFound` when there is none.
    public func job(id: Int64) async throws(StoreError) -> TokenJob {
        guard let job = try await jobs("SELECT \(unescaped: Self.columns) FROM flutterbye.token_jobs WHERE id = \(id)", "reading job \(id)").first else {
            throw StoreError(.jobNotFound, "there is no job \(id)")
        }
        return job
    }

    /// The job enqueued with `idempotencyKey`, if any.
    public func job(idempotencyKey: String) async throws(StoreError) -> TokenJob? {
        try await jobs(
            "SELECT \(unescaped: Self.columns) FROM flutterbye.token_jobs WHERE idempotency_key = \(idempotencyKey)",
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

    /// How many jobs are in each state.
    public func countsByState() async throws(StoreError) -> [TokenJobState: Int] {
        var counts: [TokenJobState: Int] = [:]
        for row in try await run("SELECT state, count(*) AS n FROM flutterbye.token_jobs GROUP BY state", "counting jobs") {
            let cells = row.makeRandomAccess()
            if let state = try? cells["state"].decode(String.self), let n = try? cells["n"].decode(Int64.self),
                let known = TokenJobState(rawValue: state)
            {
                counts[known] = Int(n)
            }
        }
        return counts
    }

    // MARK: Plumbing

    static let columns = """
        id, idempotency_key, state, token_program, decimals, name, symbol, uri, amount::text AS amount, recipient, memo,
        priority, scheduled_at, attempt, max_attempts, attempted_by, lease_expires_at, errors::text AS errors, mint_address,
        signature, raw_transaction, last_valid_block_height, created_at, updated_at, submitted_at, confirmed_at,
        finalized_at, finished_at
        """

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    private func update(_ query: PostgresQuery, jobID: Int64, _ doing: String) async throws(StoreError) {
        guard try await run(query, "\(doing) for job \(jobID)").count == 1 else {
            throw StoreError(.invalidJobState, "job \(jobID) is not held by this worker in a state that allows \(doing); it was rescued, cancelled or finished elsewhere")
        }
    }

    private func jobs(_ query: PostgresQuery, _ doing: String) async throws(StoreError) -> [TokenJob] {
        var result: [TokenJob] = []
        for row in try await run(query, doing) {
            do { result.append(try Self.decodeJob(row)) } catch {
                throw StoreError(.queryFailed, "cannot read a job row while \(doing): \(error)")
            }
        }
        return result
    }

    static func decodeJob(_ row: PostgresRow) throws -> TokenJob {
        let c = row.makeRandomAccess()
        let errorsText = try c["errors"].decode(String.self)
        let errors = errorsText == "[]" ? [] : Self.decodeAttemptErrors(errorsText)
        let raw = try c["raw_transaction"].decode(ByteBuffer?.self)
        let request = TokenJobRequest(
            idempotencyKey: try c["idempotency_key"].decode(String.self), tokenProgram: try c["token_program"].decode(String.self),
            decimals: Int(try c["decimals"].decode(Int16.self)), name: try c["name"].decode(String.self),
            symbol: try c["symbol"].decode(String.self), uri: try c["uri"].decode(String.self), amount: try c["amount"].decode(String.self),
            recipient: try c["recipient"].decode(String.self), memo: try c["memo"].decode(String?.self),
            priority: Int(try c["priority"].decode(Int16.self)), scheduledAt: try c["scheduled_at"].decode(Date.self),
            maxAttempts: Int(try c["max_attempts"].decode(Int32.self)))
        return TokenJob(
            id: try c["id"].decode(Int64.self), request: request,
            state: TokenJobState(rawValue: try c["state"].decode(String.self)) ?? .failed,
            attempt: Int(try c["attempt"].decode(Int32.self)), attemptedBy: try c["attempted_by"].decode(String?.self),
            leaseExpiresAt: try c["lease_expires_at"].decode(Date?.self), errors: errors,
            mintAddress: try c["mint_address"].decode(String?.self), signature: try c["signature"].decode(String?.self),
            rawTransaction: raw.map { Array($0.readableBytesView) },
            lastValidBlockHeight: try c["last_valid_block_height"].decode(Int64?.self).map { UInt64(clamping: $0) },
            createdAt: try c["created_at"].decode(Date.self), updatedAt: try c["updated_at"].decode(Date.self),
            submittedAt: try c["submitted_at"].decode(Date?.self), confirmedAt: try c["confirmed_at"].decode(Date?.self),
            finalizedAt: try c["finalized_at"].decode(Date?.self), finishedAt: try c["finished_at"].decode(Date?.self))
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

    private func run(_ query: PostgresQuery, _ doing: String) async throws(StoreError) -> [PostgresRow] {
        try await database.run(query, doing)
    }

    static func storeError(_ error: any Error, while doing: String) -> StoreError {
        if let answer = StoreError.ServerAnswer(error) {
            switch answer.sqlState {
            case "22023":
                // enqueue_token_job's validation: 'invalid <field>: <reason>'.
                let message = answer.message
                let field = message.hasPrefix("invalid ") ? message.dropFirst(8).split(separator: ":").first.map(String.init) : nil
                return StoreError(.invalidJob, "\(message); nothing was enqueued", field: field)
            case "23505":
                return StoreError(.idempotencyConflict, "\(answer.message); nothing was enqueued — use a new idempotency key for a different token")
            default:
                return StoreError(.queryFailed, "\(doing) failed: \(answer.summary)")
            }
        }
        return StoreError.databaseUnavailable(error, while: doing) ?? StoreError(.queryFailed, "\(doing) failed: \(error)")
    }
}

/// The queue's connection to PostgreSQL: runs statements within the statement timeout, turning failures into
/// `StoreError`s an operator can act on, and runs the batched statements `TokenJobQueue`'s coalescers gather.
struct QueueDatabase: Sendable {
    let client: PostgresClient
    let logger: Logger
    let statementTimeout: Duration
    let deadlines = StatementDeadlines()

    /// Runs a query and collects its rows.
    func run(_ query: PostgresQuery, _ doing: String) async throws(StoreError) -> [PostgresRow] {
        let client = self.client, logger = self.logger
        return try await withDeadline(doing) {
            var rows: [PostgresRow] = []
            for try await row in try await client.query(query, logger: logger) { rows.append(row) }
            return rows
        }
    }

    /// Runs a prepared statement (prepared on each connection the first time it runs there) and decodes its rows.
    func execute<Statement: PostgresPreparedStatement>(_ statement: Statement, _ doing: String) async throws(StoreError) -> [Statement.Row]
    where Statement.Row: Sendable {
        let client = self.client, logger = self.logger
        return try await withDeadline(doing) {
            var rows: [Statement.Row] = []
            for try await row in try await client.execute(statement, logger: logger) { rows.append(row) }
            return rows
        }
    }

    /// Runs `body` within the statement timeout.
    private func withDeadline<Rows: Sendable>(_ doing: String, _ body: @escaping @Sendable () async throws -> Rows) async throws(StoreError) -> Rows {
        do {
            return try await deadlines.run(within: statementTimeout, body)
        } catch is StatementDeadlines.Expired {
            throw StoreError(
                .databaseUnavailable,
                "\(doing) failed: PostgreSQL did not answer within \(statementTimeout), so the statement was abandoned; it may still take effect if it gets through (every queue step is safe to repeat). Check that the database is up and reachable and that nothing holds long locks on flutterbye.token_jobs (the connection pool keeps reconnecting)")
        } catch let error as StoreError {
            throw error
        } catch {
            throw TokenJobQueue.storeError(error, while: doing)
        }
    }

    // MARK: Batches

    /// Enqueues validated requests with one INSERT. A key that already exists (or comes twice in the batch) goes
    /// through `enqueue_token_job` on its own, which returns the existing job or refuses different parameters. When
    /// the server refuses the whole statement because of one request's data, each request runs on its own, so each
    /// caller gets its own answer; a failure of the database itself is every caller's answer.
    func enqueueBatch(_ requests: [TokenJobRequest]) async -> [Result<TokenJobEnqueueResult, StoreError>] {
        let doing = requests.count == 1 ? "enqueueing job \(requests[0].idempotencyKey)" : "enqueueing \(requests.count) jobs"
        let inserted: [(id: Int64, idempotencyKey: String)]
        do {
            inserted = try await execute(EnqueueBatchStatement(requests: requests, now: Date()), doing)
        } catch {
            guard error.code == .queryFailed else { return requests.map { _ in .failure(error) } }
            var results: [Result<TokenJobEnqueueResult, StoreError>] = []
            for request in requests {
                do { results.append(.success(try await enqueueThroughFunction(request))) } catch { results.append(.failure(error)) }
            }
            return results
        }
        var newJobs: [String: Int64] = [:]
        for row in inserted { newJobs[row.idempotencyKey] = row.id }
        var results: [Result<TokenJobEnqueueResult, StoreError>] = []
        results.reserveCapacity(requests.count)
        for request in requests {
            if let id = newJobs.removeValue(forKey: request.idempotencyKey) {
                results.append(.success(TokenJobEnqueueResult(jobID: id, inserted: true, state: .available)))
                continue
            }
            do { results.append(.success(try await enqueueThroughFunction(request))) } catch { results.append(.failure(error)) }
        }
        return results
    }

    /// `flutterbye.enqueue_token_job` for one request: the backend's statement, the reference for every answer.
    func enqueueThroughFunction(_ request: TokenJobRequest) async throws(StoreError) -> TokenJobEnqueueResult {
        let query: PostgresQuery = """
            SELECT job_id, inserted, job_state FROM flutterbye.enqueue_token_job(
                idempotency_key => \(request.idempotencyKey), token_program => \(request.tokenProgram),
                decimals => \(request.decimals)::integer, name => \(request.name), symbol => \(request.symbol),
                uri => \(request.uri), amount => \(request.amount), recipient => \(request.recipient), memo => \(request.memo),
                priority => \(request.priority)::integer, scheduled_at => \(request.scheduledAt ?? Date()),
                max_attempts => \(request.maxAttempts)::integer)
            """
        let rows = try await run(query, "enqueueing job \(request.idempotencyKey)")
        guard let row = rows.first else { throw StoreError(.queryFailed, "enqueue_token_job returned no row") }
        let cells = row.makeRandomAccess()
        do {
            let state = try cells["job_state"].decode(String.self)
            return TokenJobEnqueueResult(
                jobID: try cells["job_id"].decode(Int64.self), inserted: try cells["inserted"].decode(Bool.self),
                state: TokenJobState(rawValue: state) ?? .available)
        } catch {
            throw StoreError(.queryFailed, "cannot read enqueue_token_job's answer: \(error)")
        }
    }

    /// Marks the confirmations of several callers with one UPDATE; each caller gets the ids of its own jobs that
    /// were marked.
    func confirmBatches(_ batches: [[TokenJobQueue.Confirmation]]) async -> [Result<Set<Int64>, StoreError>] {
        let all = batches.flatMap { $0 }
        do {
            // A job counts as marked for the caller whose worker held it: two callers may name the same job.
            var marked: [Int64: String] = [:]
            for row in try await execute(ConfirmBatchStatement(confirmations: all), "marking \(all.count) job(s) confirmed") {
                marked[row.jobID] = row.workerID
            }
            return batches.map { batch in
                .success(Set(batch.lazy.filter { marked[$0.jobID] == $0.workerID }.map(\.jobID)))
            }
        } catch {
            return batches.map { _ in .failure(error) }
        }
    }
}
