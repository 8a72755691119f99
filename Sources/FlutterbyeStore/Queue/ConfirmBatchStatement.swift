import Foundation
import PostgresNIO

// One of the queue's hot statements, prepared once per connection (PostgresNIO caches them by name): the server
// parses and plans it once instead of on every call. The name carries a version: a changed statement gets a new name.

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
