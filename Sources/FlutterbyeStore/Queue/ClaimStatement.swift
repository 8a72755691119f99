import Foundation
import PostgresNIO

// One of the queue's hot statements, prepared once per connection (PostgresNIO caches them by name): the server
// parses and plans it once instead of on every call. The name carries a version: a changed statement gets a new name.

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
