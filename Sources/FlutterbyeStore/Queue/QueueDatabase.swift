import Foundation
import Logging
import PostgresNIO

/// The queue's connection to PostgreSQL: runs statements within the statement timeout, turning failures into
/// `StoreError`s an operator can act on, and runs the batched statements `TokenJobQueue`'s coalescers gather.
struct QueueDatabase: Sendable {
    let client: PostgresClient
    let logger: Logger
    let statementTimeout: Duration
    let deadlines = StatementDeadlines()
    let kept: KeptConnections

    /// `linger`: how long a kept connection stays unused before it goes back to the pool.
    init(client: PostgresClient, logger: Logger, statementTimeout: Duration, keptConnections: Int, linger: Duration = .seconds(1)) {
        self.client = client
        self.logger = logger
        self.statementTimeout = statementTimeout
        kept = KeptConnections(client: client, limit: keptConnections, linger: linger)
    }

    /// Runs a query and collects its rows.
    func run(_ query: PostgresQuery, _ doing: String) async throws(StoreError) -> [PostgresRow] {
        let client = self.client
        let logger = self.logger
        let kept = self.kept
        return try await withDeadline(doing) {
            try await kept.run { connection in
                var rows: [PostgresRow] = []
                if let connection {
                    for try await row in try await connection.query(query, logger: logger) { rows.append(row) }
                } else {
                    for try await row in try await client.query(query, logger: logger) { rows.append(row) }
                }
                return rows
            }
        }
    }

    /// Runs a prepared statement (prepared on each connection the first time it runs there) and decodes its rows. A
    /// connection that refuses it because a schema change altered a column it returns (`StalePreparedStatement`: a
    /// start of a newer release, beside this worker) is closed and the statement runs again on another: it did nothing.
    func execute<Statement: PostgresPreparedStatement>(_ statement: Statement, _ doing: String) async throws(StoreError) -> [Statement.Row]
    where Statement.Row: Sendable {
        let client = self.client
        let logger = self.logger
        let kept = self.kept
        return try await withDeadline(doing) {
            var closed = 0
            while true {
                do {
                    return try await kept.run { connection in
                        if let connection { return try await Self.rows(of: statement, on: connection, logger: logger) }
                        return try await client.withConnection { try await Self.rows(of: statement, on: $0, logger: logger) }
                    }
                } catch  where StalePreparedStatement.isRefusal(error) && closed < StalePreparedStatement.retries {
                    closed += 1
                    logger.notice(
                        "a connection refused a statement prepared before a schema change; closed it, running the statement again",
                        metadata: ["statement": "\(Statement.name)", "closed": "\(closed)"])
                }
            }
        }
    }

    /// The rows of `statement` run on `connection`, which is closed when it refuses the statement as prepared before a
    /// schema change.
    private static func rows<Statement: PostgresPreparedStatement>(
        of statement: Statement, on connection: PostgresConnection, logger: Logger
    ) async throws -> [Statement.Row] {
        do {
            var rows: [Statement.Row] = []
            for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
            return rows
        } catch  where StalePreparedStatement.isRefusal(error) {
            try? await connection.close()
            throw error
        }
    }

    /// Runs `body` within the statement timeout.
    private func withDeadline<Rows: Sendable>(_ doing: String, _ body: @escaping @Sendable () async throws -> Rows) async throws(StoreError) -> Rows {
        do {
            return try await deadlines.run(within: statementTimeout, body)
        } catch is StatementDeadlines.Expired {
            throw StoreError.unanswered(
                doing, within: statementTimeout, effect: "it may still take effect if it gets through: every queue step is safe to repeat",
                tables: "flutterbye.token_jobs (the connection pool keeps reconnecting)")
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
            inserted = try await execute(EnqueueBatchStatement(requests: requests), doing)
        } catch {
            guard error.code == .queryFailed else { return requests.map { _ in .failure(error) } }
            var results: [Result<TokenJobEnqueueResult, StoreError>] = []
            for request in requests {
                do { results.append(.success(try await enqueueThroughFunction(request))) } catch { results.append(.failure(error)) }
            }
            return results
        }
        // Keyed by the key's bytes, as the unique index compares keys: String's == (and so a [String: _] dictionary)
        // calls canonically equivalent keys equal (`café` composed and decomposed), which are two jobs here.
        var newJobs: [[UInt8]: Int64] = [:]
        for row in inserted { newJobs[Array(row.idempotencyKey.utf8)] = row.id }
        var results: [Result<TokenJobEnqueueResult, StoreError>] = []
        results.reserveCapacity(requests.count)
        for request in requests {
            if let id = newJobs.removeValue(forKey: Array(request.idempotencyKey.utf8)) {
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
                priority => \(request.priority)::integer, scheduled_at => \(request.scheduledAt),
                max_attempts => \(request.maxAttempts)::integer, mint_authority => \(request.mintAuthority),
                freeze_authority => \(request.freezeAuthority), metadata_update_authority => \(request.metadataUpdateAuthority),
                additional_metadata => \(request.storedAdditionalMetadata)::jsonb)
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

    /// Stores the submissions of several callers with one UPDATE; each caller gets the ids of its own jobs that were
    /// stored.
    func submitBatches(_ batches: [[TransactionSubmission]]) async -> [Result<Set<Int64>, StoreError>] {
        let all = batches.flatMap { $0 }
        do {
            var stored: [Int64: Int64] = [:]
            for row in try await execute(SubmitBatchStatement(submissions: all), "storing \(all.count) transaction(s)") {
                stored[row.jobID] = row.leaseToken
            }
            return batches.map { batch in
                .success(Set(batch.lazy.filter { stored[$0.lease.jobID] == $0.lease.token }.map(\.lease.jobID)))
            }
        } catch {
            return batches.map { _ in .failure(error) }
        }
    }

    /// Marks the confirmations of several callers with one UPDATE; each caller gets the ids of its own jobs that were
    /// marked.
    func confirmBatches(_ batches: [[TokenJobQueue.Confirmation]]) async -> [Result<Set<Int64>, StoreError>] {
        let all = batches.flatMap { $0 }
        do {
            // A job counts as marked for the caller whose lease held it: two callers may name the same job.
            var marked: [Int64: Int64] = [:]
            for row in try await execute(ConfirmBatchStatement(confirmations: all), "marking \(all.count) job(s) confirmed") {
                marked[row.jobID] = row.leaseToken
            }
            return batches.map { batch in
                .success(Set(batch.lazy.filter { marked[$0.lease.jobID] == $0.lease.token }.map(\.lease.jobID)))
            }
        } catch {
            return batches.map { _ in .failure(error) }
        }
    }
}
