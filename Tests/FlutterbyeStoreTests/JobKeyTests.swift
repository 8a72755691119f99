import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// Idempotency keys live in `flutterbye.token_job_keys`, not in an index of the job table, and stay exact whoever
/// writes the jobs: the queue, `enqueue_token_job`, the pruner, and an operator's SQL inserting, deleting, changing a
/// key or truncating. A key is taken while its job exists and free once it is gone.
@Suite(
    "Idempotency keys against PostgreSQL",
    .enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"),
    .serialized)
struct JobKeyTests {
    /// Runs `body` with a queue on an empty job table of this suite's database.
    func withQueue(_ body: (TokenJobQueue, PostgresClient) async throws -> Void) async throws {
        try await TestDatabase.withMigratedDatabase("flutterbye_keys", truncating: "flutterbye.token_jobs") { client, _ in
            try await body(TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0), client)
        }
    }

    /// The key rows: each key and its job id.
    static func keyRows(_ client: PostgresClient) async throws -> [String: Int64] {
        var keys: [String: Int64] = [:]
        let rows = try await client.query("SELECT idempotency_key, job_id FROM flutterbye.token_job_keys", logger: TestDatabase.logger)
        for try await (key, id) in rows.decode((String, Int64).self) { keys[key] = id }
        return keys
    }

    /// Every job's key and id, read from the job table.
    static func jobKeys(_ client: PostgresClient) async throws -> [String: Int64] {
        var keys: [String: Int64] = [:]
        let rows = try await client.query("SELECT idempotency_key, id FROM flutterbye.token_jobs", logger: TestDatabase.logger)
        for try await (key, id) in rows.decode((String, Int64).self) { keys[key] = id }
        return keys
    }

    /// An operator's INSERT of one available job with `key`.
    static func insertByHand(_ client: PostgresClient, key: String) async throws {
        try await client.query(
            """
            INSERT INTO flutterbye.token_jobs (idempotency_key, token_program, decimals, name, symbol, uri, amount, recipient)
            VALUES (\(key), 'token', 6, 'Token', 'TKN', 'https://flutterbye.example/t.json', 1000000, \(TokenJobQueueTests.recipient))
            """, logger: TestDatabase.logger)
    }

    @Test func noIndexOfTheJobTableCoversTheKey() async throws {
        try await withQueue { _, client in
            // An index on the key takes a new entry (and a uniqueness check against the row's earlier versions) at every
            // change of a job's state: claim, submission, confirmation, renewal.
            let indexes = try await TestDatabase.count(
                """
                SELECT count(*)::int8 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = 'flutterbye.token_jobs'::regclass AND a.attname = 'idempotency_key'
                """, on: client)
            #expect(indexes == 0)
        }
    }

    @Test func keysStayExactWhoeverWritesTheJobs() async throws {
        try await withQueue { queue, client in
            func expectExact(_ step: Comment, sourceLocation: SourceLocation = #_sourceLocation) async throws {
                #expect(try await Self.keyRows(client) == Self.jobKeys(client), step, sourceLocation: sourceLocation)
            }
            let first = try await queue.enqueue(TokenJobQueueTests.request("key-1"))
            let second = try await queue.enqueue(TokenJobQueueTests.request("key-2"))
            #expect(first.inserted && second.inserted)
            try await client.query(
                """
                SELECT * FROM flutterbye.enqueue_token_job(idempotency_key => 'key-3', token_program => 'token', decimals => 6,
                    name => 'Token', symbol => 'TKN', uri => 'https://flutterbye.example/t.json', amount => '1000000',
                    recipient => \(TokenJobQueueTests.recipient))
                """, logger: TestDatabase.logger)
            try await expectExact("enqueued by the queue and by enqueue_token_job")
            let repeated = try await queue.enqueue(TokenJobQueueTests.request("key-1"))
            #expect(repeated.jobID == first.jobID && !repeated.inserted)
            #expect(try await queue.job(idempotencyKey: "key-2")?.id == second.jobID)
            #expect(try await queue.job(idempotencyKey: "key-4") == nil)

            // An operator's SQL: a job inserted by hand takes its key; a second one with a taken key is refused.
            try await Self.insertByHand(client, key: "key-4")
            try await expectExact("a job inserted by hand")
            let byHand = try #require(try await queue.job(idempotencyKey: "key-4"))
            // Its parameters are not the request's: the key is taken, so enqueueing it is a conflict naming that job.
            let conflict = await #expect(throws: StoreError.self) { try await queue.enqueue(TokenJobQueueTests.request("key-4")) }
            #expect(conflict?.code == .idempotencyConflict && conflict?.message.contains("job \(byHand.id) ") == true)
            await #expect(throws: PSQLError.self, "a taken key inserted by hand") { try await Self.insertByHand(client, key: "key-1") }
            try await expectExact("a duplicate refused")

            // A key changed by hand: the job answers to its new key, and the old one is free.
            try await client.query(
                "UPDATE flutterbye.token_jobs SET idempotency_key = 'key-2b' WHERE id = \(second.jobID)", logger: TestDatabase.logger)
            try await expectExact("a key changed by hand")
            #expect(try await queue.job(idempotencyKey: "key-2b")?.id == second.jobID)
            #expect(try await queue.job(idempotencyKey: "key-2") == nil)
            await #expect(throws: PSQLError.self, "a key changed to a taken one") {
                try await client.query(
                    "UPDATE flutterbye.token_jobs SET idempotency_key = 'key-1' WHERE id = \(second.jobID)", logger: TestDatabase.logger)
            }
            let again = try await queue.enqueue(TokenJobQueueTests.request("key-2"))
            #expect(again.inserted && again.jobID != second.jobID)
            try await expectExact("the old key enqueued again")

            // Deleted by hand and pruned: the keys are free again.
            try await client.query("DELETE FROM flutterbye.token_jobs WHERE id = \(first.jobID)", logger: TestDatabase.logger)
            try await expectExact("a job deleted by hand")
            #expect(try await queue.enqueue(TokenJobQueueTests.request("key-1")).inserted)
            try await client.query(
                "UPDATE flutterbye.token_jobs SET state = 'failed', finished_at = now() - interval '1 hour' WHERE idempotency_key = 'key-3'",
                logger: TestDatabase.logger)
            #expect(try await queue.prune(finishedBefore: Date()) == 1)
            try await expectExact("pruned")
            #expect(try await queue.enqueue(TokenJobQueueTests.request("key-3")).inserted)

            try await client.query("TRUNCATE flutterbye.token_jobs", logger: TestDatabase.logger)
            try await expectExact("truncated")
            #expect(try await Self.keyRows(client).isEmpty)
            #expect(try await queue.enqueue(TokenJobQueueTests.request("key-1")).inserted)
        }
    }

    /// Another transaction holds the same key uncommitted: the queue's enqueue waits for it, then answers with that
    /// job, as the backend's `enqueue_token_job` does; the other requests enqueued beside it are enqueued.
    @Test(.timeLimit(.minutes(1))) func anEnqueueRacingAnotherTransactionGetsItsJob() async throws {
        try await withQueue { queue, client in
            try await client.withConnection { other in
                try await other.query("BEGIN", logger: TestDatabase.logger)
                let rows = try await other.query(
                    """
                    SELECT job_id FROM flutterbye.enqueue_token_job(idempotency_key => 'race', token_program => 'token-2022',
                        decimals => 6, name => 'Flutterbye Launch', symbol => 'FLBYL', uri => 'https://flutterbye.example/launch.json',
                        amount => '1000000', recipient => \(TokenJobQueueTests.recipient), memo => 'order race')
                    """, logger: TestDatabase.logger)
                var otherID: Int64?
                for try await (id, ) in rows.decode((Int64,).self) { otherID = id }
                let racing = Task {
                    try await withThrowingTaskGroup(of: TokenJobEnqueueResult.self) { group in
                        for key in ["race", "beside-1", "beside-2"] {
                            group.addTask { try await queue.enqueue(TokenJobQueueTests.request(key)) }
                        }
                        var results: [TokenJobEnqueueResult] = []
                        for try await result in group { results.append(result) }
                        return results
                    }
                }
                try await Task.sleep(for: .milliseconds(500))
                try await other.query("COMMIT", logger: TestDatabase.logger)
                let results = try await racing.value
                #expect(results.filter(\.inserted).count == 2)
                #expect(results.filter { !$0.inserted }.map(\.jobID) == [try #require(otherID)])
            }
            #expect(try await Self.keyRows(client) == Self.jobKeys(client))
            #expect(try await Self.jobKeys(client).count == 3)
        }
    }

    /// A database of schema version 17 (the key unique in the job table, no key table) gets a key row for every job it
    /// has, and loses the index on the key.
    @Test func aDatabaseOfVersion17GetsItsKeys() async throws {
        try await withQueue { queue, client in
            for index in 0..<5 { _ = try await queue.enqueue(TokenJobQueueTests.request("old-\(index)")) }
            try await client.query("TRUNCATE flutterbye.token_job_keys", logger: TestDatabase.logger)
            try await client.query(
                "ALTER TABLE flutterbye.token_jobs ADD CONSTRAINT token_jobs_idempotency_key_unique UNIQUE (idempotency_key)",
                logger: TestDatabase.logger)
            try await client.query("DELETE FROM flutterbye.schema_script", logger: TestDatabase.logger)
            try await SchemaMigrator.bundled().apply(on: client, logger: TestDatabase.logger)
            #expect(try await Self.keyRows(client) == Self.jobKeys(client))
            #expect(try await Self.keyRows(client).count == 5)
            #expect(try await queue.enqueue(TokenJobQueueTests.request("old-3")).inserted == false)
            let constraints = try await TestDatabase.count(
                "SELECT count(*)::int8 FROM pg_constraint WHERE conname = 'token_jobs_idempotency_key_unique'", on: client)
            #expect(constraints == 0)
        }
    }
}
