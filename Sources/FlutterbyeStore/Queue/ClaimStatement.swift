import Foundation
import PostgresNIO

// One of the queue's hot statements, prepared once per connection (PostgresNIO caches them by name): the server
// parses and plans it once instead of on every call. The name carries a version: a changed statement gets a new name.

/// Claims up to `limit` runnable jobs for `workerID` under a lease, each with a new lease token, skipping the ids in
/// `excluding` (see `TokenJobQueue.claim`), through `flutterbye.claim_token_jobs` (schema version 19, where the claim is
/// planned once per connection); returned in claim order (priority, then schedule, then id).
struct ClaimStatement: PostgresPreparedStatement {
    static let name = "flutterbye_claim_v5"
    static let sql = """
        SELECT \(TokenJobQueue.columns) FROM flutterbye.claim_token_jobs($1, $2, $3, $4)
        ORDER BY priority DESC, scheduled_at, id
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
