import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// A schema change that alters the type of a column the claim returns, applied by another start, makes PostgreSQL
/// refuse the claim on every connection that prepared it, until that connection closes ("cached plan must not change
/// result type"). The queue closes such a connection and runs the statement again on another: a running worker goes on
/// claiming instead of failing every claim until it restarts.
@Suite(
    "Prepared statements across a schema change",
    .enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"),
    .serialized)
struct StalePreparedStatementTests {
    static let logger = TestDatabase.logger

    @Test func aClaimPreparedBeforeAColumnTypeChangeRunsAfterIt() async throws {
        // A new database each run: the test changes a column's type, which applying the schema does not undo.
        var database = try DatabaseConfiguration(url: try TestDatabase.requiredURL())
        try await TestDatabase.recreateDatabase("flutterbye_stale_plans", on: database)
        database.database = "flutterbye_stale_plans"
        // One connection: the claims after the change run where the claims before it were prepared.
        var configuration = database.clientConfiguration
        configuration.options.maximumConnections = 1
        try await TestDatabase.withClient(configuration) { client in
            try await SchemaMigrator.bundled().apply(on: client, logger: Self.logger)
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            for index in 0..<4 { _ = try await queue.enqueue(TokenJobQueueTests.request("stale-\(index)")) }
            var before = 0
            for worker in 0..<2 { before += try await queue.claim(workerID: "before-\(worker)", limit: 1, lease: .seconds(60)).count }
            #expect(before == 2)

            // The claim returns attempted_by: its type changes under the prepared statements. Then a start applies
            // the schema script (a new binary's: its digest differs), which makes the claim's function again, and
            // PostgreSQL plans the prepared claims anew at their next run.
            try await client.query(
                "ALTER TABLE flutterbye.token_jobs ALTER COLUMN attempted_by TYPE varchar(200)", logger: Self.logger)
            try await client.query("DELETE FROM flutterbye.schema_script", logger: Self.logger)
            try await SchemaMigrator.bundled().apply(on: client, logger: Self.logger)

            var claimed: [TokenJob] = []
            for worker in 0..<2 {
                claimed += try await queue.claim(workerID: "after-\(worker)", limit: 1, lease: .seconds(60))
            }
            #expect(claimed.count == 2)
            #expect(Set(claimed.map(\.attemptedBy)) == ["after-0", "after-1"])
            let marked = try await queue.markConfirmed(claimed.compactMap { $0.lease.map { (lease: $0, signature: "sig-stale") } })
            #expect(marked == Set(claimed.map(\.id)))
        }
    }
}
