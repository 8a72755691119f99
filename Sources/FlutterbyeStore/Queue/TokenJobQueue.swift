import Foundation
public import Logging
public import PostgresNIO

/// The durable token job queue in PostgreSQL (`flutterbye.token_jobs`): enqueue with idempotency keys, claim in
/// batches with `FOR UPDATE SKIP LOCKED` under a renewable lease, record each step of the sender before it
/// happens, rescue jobs whose worker died, and prune finished jobs. Every step a worker writes names the lease of its
/// claim (`JobLease`), so the runner of a claim that was taken over can never overwrite the job's newer runner.
public struct TokenJobQueue: Sendable {
    /// The NOTIFY channel `enqueue_token_job()` and `enqueue` signal on (payload: a new job's id; one notification per
    /// statement, whatever number of jobs it enqueued).
    public static let notificationChannel = "flutterbye_token_jobs"

    /// One job's confirmed transaction, as `markConfirmed` records it.
    struct Confirmation: Sendable, Hashable {
        var lease: JobLease
        var signature: String
    }

    let database: QueueDatabase
    private let enqueuer: StatementCoalescer<TokenJobRequest, TokenJobEnqueueResult>
    let submitter: StatementCoalescer<[TransactionSubmission], Set<Int64>>
    let confirmer: StatementCoalescer<[Confirmation], Set<Int64>>

    /// A queue on a running `PostgresClient`. A statement that gets no answer within `statementTimeout` (waiting
    /// for a connection included) fails with `databaseUnavailable` instead of waiting for ever, so a worker whose
    /// database went away and came back never stays stuck on a request the pool lost. Such a statement is abandoned,
    /// not undone: it may still take effect, which every step of the queue allows (each is safe to repeat).
    ///
    /// Concurrent `enqueue` calls, concurrent `recordSubmissions` calls and concurrent `markConfirmed` calls are each
    /// gathered into one statement while earlier ones run, with at most `maxBatchesInFlight` such statements at a time
    /// (per kind); a lone call runs at once.
    ///
    /// While busy, the queue keeps up to `keptConnections` of the pool's connections leased between its statements
    /// (each goes back after a second unused), so that a statement costs no lease and release in the pool.
    public init(
        client: PostgresClient, logger: Logger, statementTimeout: Duration = .seconds(30), maxBatchesInFlight: Int = 2,
        keptConnections: Int = 4
    ) {
        let database = QueueDatabase(client: client, logger: logger, statementTimeout: statementTimeout, keptConnections: keptConnections)
        self.database = database
        enqueuer = StatementCoalescer(maxInFlight: maxBatchesInFlight, maxBatch: 500, minBatchAlongside: 4) { requests in
            await database.enqueueBatch(requests)
        }
        submitter = StatementCoalescer(maxInFlight: maxBatchesInFlight, maxBatch: 100) { batches in
            await database.submitBatches(batches)
        }
        confirmer = StatementCoalescer(maxInFlight: maxBatchesInFlight, maxBatch: 100) { batches in
            await database.confirmBatches(batches)
        }
    }

    var logger: Logger { database.logger }

    // MARK: Enqueue

    /// Enqueues a job. Bad input throws `invalidJob` naming the field (checked here by the rules of
    /// `flutterbye.enqueue_token_job`, the statement the backend runs, and again by the database); a reused key
    /// returns the existing job (`inserted == false`), or throws `idempotencyConflict` when its parameters differ.
    /// Concurrent calls share one INSERT statement; each gets its own answer.
    public func enqueue(_ request: TokenJobRequest) async throws(StoreError) -> TokenJobEnqueueResult {
        try await enqueue(try request.checked())
    }

    /// Enqueues a job whose request was checked already (`CheckedTokenJobRequest`), as `enqueue(_:)` does.
    public func enqueue(_ job: CheckedTokenJobRequest) async throws(StoreError) -> TokenJobEnqueueResult {
        try await enqueuer.submit(job.request).get()
    }

    // Claiming and leases: +Producer; the sender's steps: +Completer; expired leases: +Rescuer; old jobs: +Pruner.

    // MARK: Plumbing

    /// The columns of a job, in the order `decodeJob` reads them (`signatures` whatever its shape: `StoredSignatures`).
    static let columns = """
        id, idempotency_key, state, token_program, decimals, name, symbol, uri, amount::text AS amount, recipient, memo,
        priority, scheduled_at, attempt, max_attempts, attempted_by, lease_token, lease_expires_at, errors::text AS errors,
        mint_address, signature, signatures, raw_transaction, last_valid_block_height, created_at, updated_at, submitted_at,
        confirmed_at, finalized_at, finished_at, mint_authority, freeze_authority, metadata_update_authority,
        additional_metadata::text AS additional_metadata
        """
    /// How many `columns` there are (no column expression in it has a comma).
    static let columnCount = columns.split(separator: ",").count

    /// The signatures of a `signatures` array `column` as a one-dimensional array from 1, in order, without NULLs (an
    /// operator's SQL may have given it NULLs, several dimensions or another lower bound, to which nothing appends).
    static func signatureList(_ column: String) -> String {
        "ARRAY(SELECT listed FROM unnest(\(column)) AS listed WHERE listed IS NOT NULL)"
    }

    /// The condition that a job (of alias `j`, or of the statement's one table with `alias` nil) is in one of `states`,
    /// for statements on jobs named by id: `(state IN (…)) IS TRUE`, which PostgreSQL cannot prove implies the
    /// predicate of a partial index on `state`, so the statement reads its jobs through the primary key whatever the
    /// statistics say. With a plain `state IN (…)`, statistics taken while no job held a lease (an idle queue) make the
    /// leased jobs' index look empty, and each such statement scanned all of it (StatementPlanTests).
    static func stateGuard(_ states: TokenJobState..., alias: String? = "j") -> String {
        let column = alias.map { "\($0).state" } ?? "state"
        return "(\(column) IN (\(states.map { "'\($0.rawValue)'" }.joined(separator: ", ")))) IS TRUE"
    }

    /// SQL that is true when the job stored no transaction: none in `signatures` and no `signature` (a row may have
    /// one without the other). Only such a job can be failed, cancelled or given back as unsent: any other may land.
    static func storedNoTransaction(alias: String? = nil) -> String {
        let prefix = alias.map { "\($0)." } ?? ""
        return "(cardinality(\(prefix)signatures) = 0 AND \(prefix)signature IS NULL)"
    }

    /// The most errors a job keeps: its first and the newest. A job that goes back to the queue again and again (an
    /// endpoint without the transaction history, a worker crashing in a loop) would otherwise grow them without bound.
    static let errorsKept = 100

    /// SQL for a job's `errors` with room for one more: the second one dropped once it holds `errorsKept`.
    static func errorsWithRoom(alias: String? = nil) -> String {
        let column = (alias.map { "\($0)." } ?? "") + "errors"
        // Not an array (an operator's SQL): left as it is, `||` makes one of it.
        return "(CASE WHEN jsonb_typeof(\(column)) <> 'array' THEN \(column) WHEN jsonb_array_length(\(column)) >= \(errorsKept) "
            + "THEN \(column) - 1 ELSE \(column) END)"
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Runs a guarded step of one lease: throws `invalidJobState` when it changed no row.
    func update(_ query: PostgresQuery, lease: JobLease, _ doing: String) async throws(StoreError) {
        guard try await run(query, "\(doing) for \(lease)").count == 1 else {
            throw StoreError.leaseLost(lease, doing)
        }
    }

    func jobs(_ query: PostgresQuery, _ doing: String) async throws(StoreError) -> [TokenJob] {
        var result: [TokenJob] = []
        for row in try await run(query, doing) {
            do { result.append(try Self.decodeJob(row)) } catch {
                throw StoreError(.queryFailed, "cannot read a job row while \(doing): \(error)")
            }
        }
        return result
    }

    func run(_ query: PostgresQuery, _ doing: String) async throws(StoreError) -> [PostgresRow] {
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
                break
            }
        }
        return StoreError.statementFailed(error, while: doing)
    }
}

extension StoreError {
    /// A guarded step changed nothing: the lease is no longer the job's (rescued and claimed again, cancelled or
    /// finished elsewhere).
    static func leaseLost(_ lease: JobLease, _ doing: String) -> StoreError {
        StoreError(
            .invalidJobState,
            "\(lease) is no longer held in a state that allows \(doing): the job was rescued and claimed again, cancelled or finished elsewhere")
    }
}
