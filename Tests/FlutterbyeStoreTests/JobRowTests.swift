import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import SolanaCore
import Testing

@testable import FlutterbyeStore

/// A job row is read cell after cell in the order of `TokenJobQueue.columns`; a row of other columns is refused with an
/// error, never a trap (a lookup by a column name the row lacks stopped the process).
@Suite(
    "Job rows against PostgreSQL",
    .enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"),
    .serialized)
struct JobRowTests {
    func firstRow(_ client: PostgresClient, _ query: PostgresQuery) async throws -> PostgresRow {
        for try await row in try await client.query(query, logger: TestDatabase.logger) { return row }
        throw StoreError(.queryFailed, "no row")
    }

    /// Runs `body` with a client of the rows' database, the schema applied and no job, and a queue on it.
    func withEmptyQueue(_ body: (PostgresClient, TokenJobQueue) async throws -> Void) async throws {
        try await TestDatabase.withOneConnection(database: "flutterbye_rows") { client in
            try await SchemaMigrator.bundled().apply(on: client, logger: TestDatabase.logger)
            try await client.query("TRUNCATE flutterbye.token_jobs", logger: TestDatabase.logger)
            try await body(client, TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0))
        }
    }

    @Test func aRowOfOtherColumnsIsRefused() async throws {
        try await TestDatabase.withOneConnection(database: "flutterbye_rows") { client in
            let short = try await firstRow(client, "SELECT 1::int8 AS id, 'key' AS errors")
            let refusal = #expect(throws: StoreError.self) { try TokenJobQueue.decodeJob(short) }
            #expect(refusal?.message.contains("has 2 columns, not the \(TokenJobQueue.columnCount)") == true)

            // As many columns as a job has, of other types.
            let cells = (0..<TokenJobQueue.columnCount).map { "\($0)::int8 AS c\($0)" }.joined(separator: ", ")
            let wrong = try await firstRow(client, PostgresQuery(unsafeSQL: "SELECT \(cells)"))
            #expect(throws: (any Error).self) { try TokenJobQueue.decodeJob(wrong) }
        }
    }

    @Test func everyColumnOfAJobIsRead() async throws {
        try await TestDatabase.withOneConnection(database: "flutterbye_rows") { client in
            try await SchemaMigrator.bundled().apply(on: client, logger: TestDatabase.logger)
            let queue = TokenJobQueue(client: client, logger: TestDatabase.logger, keptConnections: 0)
            var request = TokenJobQueueTests.request(
                "row-\(UUID())", amount: "18446744073709551615", priority: 7, scheduledAt: Date(timeIntervalSince1970: 1_893_456_000))
            request.mintAuthority = "revoke"
            request.freezeAuthority = "ours"
            request.metadataUpdateAuthority = "none"
            request.additionalMetadata = [TokenMetadataField("website", "https://flutterbye.example")]
            let enqueued = try await queue.enqueue(request)
            try await client.query(
                """
                UPDATE flutterbye.token_jobs SET attempt = 3, attempted_by = 'reader', lease_token = 41,
                    lease_expires_at = '2030-01-02T03:04:05Z', mint_address = 'mint', signature = 'sig-2',
                    signatures = ARRAY['sig-1', 'sig-2'], raw_transaction = '\\x0102ff', last_valid_block_height = 99,
                    submitted_at = '2030-01-01T00:00:01Z', confirmed_at = '2030-01-01T00:00:02Z',
                    finalized_at = '2030-01-01T00:00:03Z', finished_at = '2030-01-01T00:00:04Z', state = 'finalized',
                    errors = '[{"class": "rpc", "message": "m", "attempt": 2, "at": "2030-01-01T00:00:00+00:00"}]'
                WHERE id = \(enqueued.jobID)
                """, logger: TestDatabase.logger)
            let job = try await queue.job(id: enqueued.jobID)
            #expect(job.request == request)
            #expect(job.state == .finalized && job.attempt == 3 && job.attemptedBy == "reader")
            #expect(job.leaseToken == 41 && job.leaseExpiresAt == Date(timeIntervalSince1970: 1_893_553_445))
            #expect(job.mintAddress == "mint" && job.signature == "sig-2" && job.signatures == ["sig-1", "sig-2"])
            #expect(job.rawTransaction == [1, 2, 255] && job.lastValidBlockHeight == 99)
            #expect(job.submittedAt == Date(timeIntervalSince1970: 1_893_456_001))
            #expect(job.confirmedAt == Date(timeIntervalSince1970: 1_893_456_002))
            #expect(job.finalizedAt == Date(timeIntervalSince1970: 1_893_456_003))
            #expect(job.finishedAt == Date(timeIntervalSince1970: 1_893_456_004))
            #expect(job.errors.map(\.message) == ["m"] && job.errors.map(\.attempt) == [2])
        }
    }

    /// `signatures` is a text[], and the schema lets an operator's SQL (or a restored row) give it NULL elements, a second
    /// dimension or another lower bound, none of which PostgresNIO decodes into [String]. Such a row made a claim throw
    /// after it had claimed its whole batch: every job in it lost an attempt and waited out its lease, again at each claim
    /// the row came back in. Read, such a row keeps its signatures in order (NULLs are none), and a transaction stores.
    @Test func aClaimReadsJobsWhoseSignaturesAreOddlyShapedArraysAndStoresTheirTransactions() async throws {
        try await withEmptyQueue { client, queue in
            let shapes = [
                "ARRAY['sig-1', NULL, 'sig-2']", "'{{sig-1},{sig-2}}'::text[]", "'[0:1]={sig-1,sig-2}'::text[]", "ARRAY['sig-1', 'sig-2']",
            ]
            for (index, shape) in shapes.enumerated() {
                let id = try await queue.enqueue(TokenJobQueueTests.request("shape-\(index)")).jobID
                try await client.query(
                    PostgresQuery(unsafeSQL: "UPDATE flutterbye.token_jobs SET signatures = \(shape), signature = 'sig-2' WHERE id = \(id)"),
                    logger: TestDatabase.logger)
            }
            let claimed = try await queue.claim(workerID: "w", limit: 10, lease: .seconds(30))
            #expect(claimed.count == shapes.count)
            #expect(claimed.allSatisfy { $0.signatures == ["sig-1", "sig-2"] }, "\(claimed.map(\.signatures))")
            let submissions = claimed.compactMap { job in
                job.lease.map {
                    TransactionSubmission(lease: $0, mintAddress: "mint", signature: "sig-3", rawTransaction: [1], lastValidBlockHeight: 9)
                }
            }
            #expect(try await queue.recordSubmissions(submissions) == Set(claimed.map(\.id)))
            for job in claimed {
                #expect(try await queue.job(id: job.id).signatures == ["sig-1", "sig-2", "sig-3"])
            }
        }
    }

    /// `attempt` at the top of its integer (the schema asks only `attempt >= 0`; an operator's SQL): the claim's
    /// `attempt + 1` overflowed, which rolled the whole claim back, so the job stayed first in line and every claim of
    /// every worker got nothing while it was there. It is claimed with its count kept at the top, beside the others.
    @Test func aJobWhoseAttemptsAreAtTheTopOfTheirIntegerDoesNotStopTheClaims() async throws {
        try await withEmptyQueue { client, queue in
            let topped = try await queue.enqueue(TokenJobQueueTests.request("topped")).jobID
            let innocent = try await queue.enqueue(TokenJobQueueTests.request("innocent")).jobID
            try await client.query(
                "UPDATE flutterbye.token_jobs SET attempt = 2147483647 WHERE id = \(topped)", logger: TestDatabase.logger)
            let claimed = try await queue.claim(workerID: "w", limit: 10, lease: .seconds(30))
            #expect(Set(claimed.map(\.id)) == [topped, innocent])
            #expect(claimed.first { $0.id == topped }?.attempt == 2_147_483_647)
            #expect(claimed.first { $0.id == innocent }?.attempt == 1)
        }
    }

    /// `signature` set and `signatures` empty (the schema does not tie them, an operator's SQL can): the job stored a
    /// transaction, which may have landed. On its last attempt, the rescuer and a transient failure failed it as one that
    /// stored nothing, before any worker looked for its token.
    @Test func aJobWhoseSignatureIsMissingFromItsSignaturesIsNotFailedForUsedUpAttempts() async throws {
        try await withEmptyQueue { client, queue in
            for key in ["unlisted-failing", "unlisted-abandoned"] {
                var request = TokenJobQueueTests.request(key)
                request.maxAttempts = 1
                _ = try await queue.enqueue(request)
            }
            let claimed = try await queue.claim(workerID: "w", limit: 2, lease: .milliseconds(50))
            try await client.query(
                "UPDATE flutterbye.token_jobs SET signature = 'sig', signatures = '{}', state = 'submitted'", logger: TestDatabase.logger)
            let failing = try #require(claimed.first { $0.request.idempotencyKey == "unlisted-failing" }?.lease)
            let state = try await queue.recordFailure(failing, errorClass: "transient", message: "m", permanent: false, retryAt: Date())
            #expect(state == .retryable)
            try await Task.sleep(for: .milliseconds(120))
            #expect(try await queue.rescueExpiredLeases() == LeaseRescue(retried: 1, failed: 0))
        }
    }

    /// A transaction the job stored counts wherever it is kept: in `signatures` with `signature` empty, or in
    /// `signature` alone. Cancelling such a job could leave a token behind a job said to be cancelled, and releasing
    /// it as one that stored nothing made it available, to be started afresh, instead of retryable.
    @Test func aJobWithATransactionInEitherColumnIsNeitherCancelledNorReleasedAsUnsent() async throws {
        try await withEmptyQueue { client, queue in
            for key in ["listed-only", "signature-only"] { _ = try await queue.enqueue(TokenJobQueueTests.request(key)) }
            let claimed = try await queue.claim(workerID: "w", limit: 2, lease: .seconds(60))
            let listed = try #require(claimed.first { $0.request.idempotencyKey == "listed-only" })
            let unlisted = try #require(claimed.first { $0.request.idempotencyKey == "signature-only" })
            try await client.query(
                "UPDATE flutterbye.token_jobs SET signature = NULL, signatures = ARRAY['sig-listed'] WHERE id = \(listed.id)",
                logger: TestDatabase.logger)
            try await client.query(
                "UPDATE flutterbye.token_jobs SET signature = 'sig-unlisted', signatures = '{}' WHERE id = \(unlisted.id)",
                logger: TestDatabase.logger)

            let refusal = await #expect(throws: StoreError.self) { try await queue.cancel(jobID: listed.id) }
            #expect(refusal?.code == .invalidJobState)
            #expect(refusal?.message.contains("may still land") == true)
            #expect(try await queue.job(id: listed.id).state == .running)

            #expect(try await queue.release([try #require(unlisted.lease)]) == [unlisted.id])
            let released = try await queue.job(id: unlisted.id)
            #expect(released.state == .retryable)
            #expect(released.attempt == 0, "a release never counts an attempt (JobReleaseTests)")
        }
    }

    /// Cancelling a job that has finished says that it has finished (cancelled, failed or finalized), not that its
    /// transaction was sent: a cancelled job's refusal said "only jobs whose transaction has not been sent can be
    /// cancelled", and none was.
    @Test func cancellingAFinishedJobSaysItHasFinished() async throws {
        try await withEmptyQueue { client, queue in
            let job = try await queue.enqueue(TokenJobQueueTests.request("cancel-twice"))
            _ = try await queue.cancel(jobID: job.jobID)
            let refusal = await #expect(throws: StoreError.self) { try await queue.cancel(jobID: job.jobID) }
            #expect(refusal?.code == .invalidJobState)
            #expect(refusal?.message == "job \(job.jobID) is cancelled already: a finished job cannot be cancelled", "\(refusal?.message ?? "")")
        }
    }
}
