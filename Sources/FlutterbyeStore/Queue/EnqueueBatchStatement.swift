import Foundation
import PostgresNIO

// One of the queue's hot statements, prepared once per connection (PostgresNIO caches them by name): the server
// parses and plans it once instead of on every call. The name carries a version: a changed statement gets a new name.

/// Inserts a batch of validated requests in one statement and wakes workers with one NOTIFY (payload: the smallest new
/// id). Returns (id, idempotency_key) of each new job. Each key is taken first in `flutterbye.token_job_keys` (schema
/// version 18) with `ON CONFLICT DO NOTHING`, under the job id the job will have: a key that exists, or came earlier in
/// the batch, makes no job, and a key another transaction is taking is waited for, as the unique index decides, not
/// a plan made from statistics.
struct EnqueueBatchStatement: PostgresPreparedStatement {
    static let name = "flutterbye_enqueue_batch_v4"
    static let sql = """
        WITH input AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                                 $9::text[], $10::bool[], $11::int8[], $12::timestamptz[], $13::int8[], $14::text[], $15::text[],
                                 $16::text[], $17::text[], $18::bool[])
                WITH ORDINALITY AS input(idempotency_key, token_program, decimals, name, symbol, uri, amount, recipient,
                                         memo, has_memo, priority, scheduled_at, max_attempts, mint_authority, freeze_authority,
                                         metadata_update_authority, additional_metadata, has_scheduled_at, ordinal)
        ), numbered AS (
            SELECT *, nextval('flutterbye.token_jobs_id_seq') AS job_id FROM input
        ), keyed AS (
            INSERT INTO flutterbye.token_job_keys (idempotency_key, job_id)
            SELECT idempotency_key, job_id FROM numbered ORDER BY ordinal
            ON CONFLICT DO NOTHING
            RETURNING job_id
        ), inserted AS (
            INSERT INTO flutterbye.token_jobs AS j
                (id, idempotency_key, token_program, decimals, name, symbol, uri, amount, recipient, memo, priority, scheduled_at,
                 max_attempts, mint_authority, freeze_authority, metadata_update_authority, additional_metadata,
                 requested_scheduled_at, requested_max_attempts)
            OVERRIDING SYSTEM VALUE
            SELECT n.job_id, idempotency_key, token_program, decimals, name, symbol, uri, amount::numeric, recipient,
                   CASE WHEN has_memo THEN memo END, priority, CASE WHEN has_scheduled_at THEN scheduled_at ELSE now() END,
                   max_attempts, mint_authority, freeze_authority, nullif(metadata_update_authority, ''),
                   nullif(additional_metadata, '')::jsonb, CASE WHEN has_scheduled_at THEN scheduled_at END, max_attempts
            FROM numbered n JOIN keyed k ON k.job_id = n.job_id ORDER BY n.ordinal
            RETURNING j.id, j.idempotency_key
        ), notified AS (
            SELECT pg_notify('flutterbye_token_jobs', min(id)::text) FROM inserted HAVING count(*) > 0
        )
        SELECT id, idempotency_key, (SELECT count(*) FROM notified) AS notifications FROM inserted
        """
    typealias Row = (id: Int64, idempotencyKey: String)

    var requests: [TokenJobRequest]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 18)
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
        // Left out: the database's now (the statement's), not this host's clock; the date bound then is never read.
        bindings.append(requests.map { $0.scheduledAt ?? Date(timeIntervalSince1970: 0) })
        bindings.append(requests.map { Int64($0.maxAttempts) })
        // The choices as the queue stores them (empty text: null); validated requests never have an empty one.
        bindings.append(requests.map(\.mintAuthority))
        bindings.append(requests.map(\.freezeAuthority))
        bindings.append(requests.map { $0.storedMetadataUpdateAuthority ?? "" })
        bindings.append(requests.map { $0.storedAdditionalMetadata ?? "" })
        bindings.append(requests.map { $0.scheduledAt != nil })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let (id, key) = try row.decode((Int64, String).self)
        return (id, key)
    }
}
