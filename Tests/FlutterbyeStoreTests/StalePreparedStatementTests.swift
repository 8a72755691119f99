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

    /// Claims `rounds` times, `concurrently` claims of one job at a time (so that as many connections prepare the
    /// claim), changes the type of a column the claim returns and applies the schema as a start does, then claims as
    /// many jobs again, one at a time: every claim after the change gets its job.
    func claimAcrossATypeChange(connections: Int, concurrently: Int, rounds: Int) async throws {
        // A new database each run: the test changes a column's type, which applying the schema does not undo.
        var configuration = try await TestDatabase.freshDatabase("flutterbye_stale_plans").clientConfiguration
        configuration.options.maximumConnections = connections
        try await TestDatabase.withClient(configuration) { client in
            try await SchemaMigrator.bundled().apply(on: client, logger: Self.logger)
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let jobs = 2 * concurrently * rounds
            for index in 0..<jobs { _ = try await queue.enqueue(TokenJobQueueTests.request("stale-\(index)")) }
            var before = 0
            for _ in 0..<rounds {
                before += try await withThrowingTaskGroup(of: Int.self) { group in
                    for worker in 0..<concurrently {
                        group.addTask { try await queue.claim(workerID: "before-\(worker)", limit: 1, lease: .seconds(60)).count }
                    }
                    return try await group.reduce(0, +)
                }
            }
            #expect(before == jobs / 2)

            // The claim returns attempted_by: its type changes under the prepared statements. Then a start applies
            // the schema script (a new binary's: its digest differs), which makes the claim's function again, and
            // PostgreSQL plans the prepared claims anew at their next run.
            try await client.query(
                "ALTER TABLE flutterbye.token_jobs ALTER COLUMN attempted_by TYPE varchar(200)", logger: Self.logger)
            try await client.query("DELETE FROM flutterbye.schema_script", logger: Self.logger)
            try await SchemaMigrator.bundled().apply(on: client, logger: Self.logger)

            var claimed: [TokenJob] = []
            for worker in 0..<(jobs / 2) {
                claimed += try await queue.claim(workerID: "after-\(worker)", limit: 1, lease: .seconds(60))
            }
            #expect(claimed.count == jobs / 2)
            #expect(Set(claimed.map(\.attemptedBy)) == Set((0..<(jobs / 2)).map { "after-\($0)" }))
            let marked = try await queue.markConfirmed(claimed.compactMap { $0.lease.map { (lease: $0, signature: "sig-stale") } })
            #expect(marked == Set(claimed.map(\.id)))
        }
    }

    @Test func aClaimPreparedBeforeAColumnTypeChangeRunsAfterIt() async throws {
        // One connection: the claims after the change run where the claims before it were prepared.
        try await claimAcrossATypeChange(connections: 1, concurrently: 1, rounds: 2)
    }

    @Test func everyConnectionThatPreparedTheClaimIsReplaced() async throws {
        // Several connections, kept and pooled, prepared the claim; each claim after the change may meet one of them.
        try await claimAcrossATypeChange(connections: 4, concurrently: 4, rounds: 3)
    }
}
