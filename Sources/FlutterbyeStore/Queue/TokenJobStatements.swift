import Foundation
import PostgresNIO

// The queue's hot statements, prepared once per connection (PostgresNIO caches them by name): the server parses and
// plans each of them once instead of on every call. Names carry a version: a changed statement gets a new name.

/// Inserts a batch of validated requests in one statement, skipping keys that exist (`ON CONFLICT DO NOTHING`), and
/// wakes workers with one NOTIFY (payload: the smallest new id). Returns (id, idempotency_key) of each new job.
struct EnqueueBatchStatement: PostgresPreparedStatement {
    static let name = "flutterbye_enqueue_batch_v2"
    static let sql = """
        WITH input AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                 $9::text[], $10::bool[], $11::int8[], $12::timestamptz[], $13::int8[], $14::text[], $15::text[],
                                 $16::text[], $17::text[])
                WITH ORDINALITY AS input(idempotency_key, token_program, decimals, name, symbol, uri, amount, recipient,
                                         memo, has_memo, priority, scheduled_at, max_attempts, mint_authority, freeze_authority,
                                         metadata_update_authority, additional_metadata, ordinal)
        ), inserted AS (
            INSERT INTO flutterbye.token_jobs AS j
                (idempotency_key, token_program, decimals, name, symbol, uri, amount, recipient, memo, priority, scheduled_at, max_attempts,
                 mint_authority, freeze_authority, metadata_update_authority, additional_metadata)
            SELECT idempotency_key, token_program, decimals, name, symbol, uri, amount::numeric, recipient,
                   CASE WHEN has_memo THEN memo END, priority, scheduled_at, max_attempts, mint_authority, freeze_authority,
                   nullif(metadata_update_authority, ''), nullif(additional_metadata, '')::jsonb
            FROM input ORDER BY ordinal
            ON CONFLICT ON CONSTRAINT token_jobs_idempotency_key_unique DO NOTHING
            RETURNING j.id, j.idempotency_key
        ), notified AS (
            SELECT pg_notify('flutterbye_token_jobs', min(id)::text) FROM inserted HAVING count(*) > 0
        )
        SELECT id, idempotency_key, (SELECT count(*) FROM notified) AS notifications FROM inserted
        """
    typealias Row = (id: Int64, idempotencyKey: String)

    var requests: [TokenJobRequest]
    var now: Date

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 17)
        bindings.append(requests.map(\.idempotencyKey))
        bindings.append(requests.map(\.tokenProgram))
        bindings.append(requests.map { Int64($0.decimals) })
        bindings.append(requests.map(\.name))
        bindings.append(requests.map(\.symbol))
        bindings.append(requests.map(\.uri))
        bindings.append(requests.map(\.amount))
        bindings.append(requests.map(\.recipient))
        bindings.append(requests.map { $0.memo ?? "" })
        bindings.append(requests.map { $0.memo != nil })
        bindings.append(requests.map { Int64($0.priority) })
        bindings.append(requests.map { $0.scheduledAt ?? now })
        bindings.append(requests.map { Int64($0.maxAttempts) })
        // The choices as the queue stores them (empty text: null); validated requests never have an empty one.
        bindings.append(requests.map(\.mintAuthority))
        bindings.append(requests.map(\.freezeAuthority))
        bindings.append(requests.map { $0.storedMetadataUpdateAuthority ?? "" })
        bindings.append(requests.map { $0.storedAdditionalMetadata ?? "" })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (id, key) = try row.decode((Int64, String).self)
        return (id, key)
    }
}

/// Claims up to `limit` runnable jobs for `workerID` under a lease, each with a new lease token, skipping the ids in
/// `excluding` (see `TokenJobQueue.claim`); returned in claim order (priority, then schedule, then id): an UPDATE's
/// RETURNING comes in whatever order the join produced, so the claimed rows are sorted again.
struct ClaimStatement: PostgresPreparedStatement {
    static let name = "flutterbye_claim_v4"
    static let sql = """
        WITH next AS (
            SELECT id AS next_id FROM flutterbye.token_jobs
            WHERE state IN ('available', 'retryable') AND scheduled_at <= now() AND NOT (id = ANY($4::int8[]))
            ORDER BY priority DESC, scheduled_at, id
            LIMIT $1
            FOR UPDATE SKIP LOCKED
        ), claimed AS (
            UPDATE flutterbye.token_jobs j
            SET state = 'running', attempt = j.attempt + 1, attempted_by = $2,
                lease_token = nextval('flutterbye.token_job_lease_tokens'),
                lease_expires_at = now() + $3 * interval '1 millisecond', updated_at = now()
            FROM next WHERE j.id = next.next_id
            RETURNING \(TokenJobQueue.columns)
        )
        SELECT * FROM claimed ORDER BY priority DESC, scheduled_at, id
        """
    typealias Row = TokenJob

    var limit: Int64
    var workerID: String
    var leaseMilliseconds: Int64
    var excluding: [Int64]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(limit)
        bindings.append(workerID)
        bindings.append(leaseMilliseconds)
        bindings.append(excluding)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> TokenJob { try TokenJobQueue.decodeJob(row) }
}

/// Stores transactions before their first send, each only while its lease holds the job and the job has no other
/// mint address; a signature already stored is not added twice. Returns (id, lease token) of each job stored.
struct SubmitBatchStatement: PostgresPreparedStatement {
    static let name = "flutterbye_submit_batch_v2"
    static let sql = """
        UPDATE flutterbye.token_jobs j
        SET state = 'submitted', mint_address = coalesce(j.mint_address, s.mint), signature = s.signature,
            raw_transaction = decode(s.raw, 'base64'), last_valid_block_height = s.last_valid,
            signatures = CASE WHEN s.signature = ANY(j.signatures) THEN j.signatures ELSE j.signatures || s.signature END,
            submitted_at = now(), updated_at = now()
        FROM unnest($1::int8[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::int8[])
            AS s(id, token, mint, signature, raw, last_valid)
        WHERE j.id = s.id AND j.lease_token = s.token AND \(TokenJobQueue.stateGuard(.running, .submitted))
            AND (j.mint_address IS NULL OR j.mint_address = s.mint)
        RETURNING j.id, j.lease_token
        """
    typealias Row = (jobID: Int64, leaseToken: Int64)

    var submissions: [TransactionSubmission]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(submissions.map(\.lease.jobID))
        bindings.append(submissions.map(\.lease.token))
        bindings.append(submissions.map(\.mintAddress))
        bindings.append(submissions.map(\.signature))
        bindings.append(submissions.map { Data($0.rawTransaction).base64EncodedString() })
        bindings.append(submissions.map { Int64(clamping: $0.lastValidBlockHeight) })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (id, token) = try row.decode((Int64, Int64).self)
        return (id, token)
    }
}

/// Marks jobs confirmed, each only while the lease beside it holds it; returns (id, lease token) of each job marked.
/// A job confirmed by an older transaction than its newest keeps no raw transaction: the stored bytes would not be
/// the signature's.
struct ConfirmBatchStatement: PostgresPreparedStatement {
    static let name = "flutterbye_confirm_batch_v4"
    static let sql = """
        UPDATE flutterbye.token_jobs j
        SET state = 'confirmed', signature = c.signature,
            raw_transaction = CASE WHEN c.signature = j.signature THEN j.raw_transaction END,
            confirmed_at = coalesce(j.confirmed_at, now()), updated_at = now()
        FROM unnest($1::int8[], $2::int8[], $3::text[]) AS c(id, token, signature)
        WHERE j.id = c.id AND j.lease_token = c.token AND \(TokenJobQueue.stateGuard(.running, .submitted))
        RETURNING j.id, j.lease_token
        """
    typealias Row = (jobID: Int64, leaseToken: Int64)

    var confirmations: [TokenJobQueue.Confirmation]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(confirmations.map(\.lease.jobID))
        bindings.append(confirmations.map(\.lease.token))
        bindings.append(confirmations.map(\.signature))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (id, token) = try row.decode((Int64, Int64).self)
        return (id, token)
    }
}
