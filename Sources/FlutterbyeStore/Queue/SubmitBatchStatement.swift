import Foundation
import PostgresNIO

// One of the queue's hot statements, prepared once per connection (PostgresNIO caches them by name): the server
// parses and plans it once instead of on every call. The name carries a version: a changed statement gets a new name.

/// Stores transactions before their first send, each only while its lease holds the job and the job has no other
/// mint address; a signature already stored is not added twice. A new one joins `signatures` made a plain list
/// (`TokenJobQueue.signatureList`): appending to a multidimensional one (an operator's SQL) failed the whole statement.
/// Returns (id, lease token) of each job stored.
struct SubmitBatchStatement: PostgresPreparedStatement {
    static let name = "flutterbye_submit_batch_v3"
    static let sql = """
        UPDATE flutterbye.token_jobs j
        SET state = 'submitted', mint_address = coalesce(j.mint_address, s.mint), signature = s.signature,
            raw_transaction = decode(s.raw, 'base64'), last_valid_block_height = s.last_valid,
            signatures = CASE WHEN s.signature = ANY(j.signatures) THEN j.signatures
                ELSE \(TokenJobQueue.signatureList("j.signatures")) || s.signature END,
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
