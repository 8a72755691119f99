import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// The token job queue against real PostgreSQL: enqueue validation and idempotency, claiming with SKIP LOCKED,
/// leases and rescue, the sender's recorded steps, failures and retries, operator actions, pruning.
@Suite(
    "TokenJobQueue against PostgreSQL",
    .enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"),
    .serialized)
struct TokenJobQueueTests {
    static let recipient = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"

    static func request(_ key: String, amount: String = "1000000", priority: Int = 0, scheduledAt: Date? = nil) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token-2022", decimals: 6, name: "Flutterbye Launch", symbol: "FLBYL",
            uri: "https://flutterbye.example/launch.json", amount: amount, recipient: recipient, memo: "order \(key)",
            priority: priority, scheduledAt: scheduledAt)
    }

    /// Runs `body` with a queue on a freshly migrated, empty job table.
    func withQueue(_ body: @Sendable (TokenJobQueue, PostgresClient) async throws -> Void) async throws {
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
            try await migrator.apply(on: client, logger: TestDatabase.logger)
            try await client.query("TRUNCATE flutterbye.token_jobs", logger: TestDatabase.logger)
            try await body(TokenJobQueue(client: client, logger: TestDatabase.logger), client)
        }
    }

    @Test func enqueueIsIdempotentPerKey() async throws {
        try await withQueue { queue, client in
            let first = try await queue.enqueue(Self.request("order-1"))
            #expect(first.inserted)
            #expect(first.state == .available)
            let again = try await queue.enqueue(Self.request("order-1"))
            #expect(!again.inserted)
            #expect(again.jobID == first.jobID)
            #expect(try await TestDatabase.count("SELECT count(*)::int8 FROM flutterbye.token_jobs", on: client) == 1)

            do {
                _ = try await queue.enqueue(Self.request("order-1", amount: "5"))
                Issue.record("a reused key with other parameters must be refused")
            } catch let error as StoreError {
                #expect(error.code == .idempotencyConflict)
                #expect(error.message.contains("order-1"))
            }
            let job = try #require(try await queue.job(idempotencyKey: "order-1"))
            #expect(job.request == Self.request("order-1").withScheduledAt(job.request.scheduledAt))
            #expect(job.request.amount == "1000000")
        }
    }

    @Test func badInputIsRefusedNamingTheFieldAndWritesNothing() async throws {
        try await withQueue { queue, client in
            var cases: [(String, TokenJobRequest)] = []
            func variant(_ field: String, _ change: (inout TokenJobRequest) -> Void) {
                var request = Self.request("bad-\(field)-\(cases.count)")
                change(&request)
                cases.append((field, request))
            }
            variant("recipient") { $0.recipient = "not-a-key" }
            variant("recipient") { $0.recipient = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5D0" }  // '0' is not base58
            variant("recipient") { $0.recipient = "1111111111111111111111111111111" }  // 31 bytes
            variant("name") { $0.name = String(repeating: "n", count: 33) }
            variant("name") { $0.name = String(repeating: "é", count: 17) }  // 34 bytes in UTF-8
            variant("symbol") { $0.symbol = "TOOLONGSYMB" }
            variant("uri") { $0.uri = String(repeating: "u", count: 201) }
            variant("amount") { $0.amount = "1.5" }
            variant("amount") { $0.amount = "-1" }
            variant("amount") { $0.amount = "18446744073709551616" }  // 2^64
            variant("amount") { $0.amount = "ten" }
            variant("token_program") { $0.tokenProgram = "token-2023" }
            variant("decimals") { $0.decimals = 10 }
            variant("idempotency_key") { $0.idempotencyKey = "" }
            for (field, request) in cases {
                do {
                    _ = try await queue.enqueue(request)
                    Issue.record("\(field) = \(request) should be refused")
                } catch let error as StoreError {
                    #expect(error.code == .invalidJob, "\(field): \(error)")
                    #expect(error.field == field, "\(error)")
                    #expect(error.message.contains(field))
                }
            }
            #expect(try await TestDatabase.count("SELECT count(*)::int8 FROM flutterbye.token_jobs", on: client) == 0)
            // The largest u64 is fine.
            #expect(try await queue.enqueue(Self.request("max", amount: "18446744073709551615")).inserted)
            #expect(try await queue.job(idempotencyKey: "max")?.request.amount == "18446744073709551615")
        }
    }

    @Test func claimsByPriorityAndScheduleWithALease() async throws {
        try await withQueue { queue, _ in
            _ = try await queue.enqueue(Self.request("low", priority: 0))
            _ = try await queue.enqueue(Self.request("high", priority: 5))
            _ = try await queue.enqueue(Self.request("later", priority: 9, scheduledAt: Date().addingTimeInterval(3600)))
            let claimed = try await queue.claim(workerID: "w1", limit: 10, lease: .seconds(30))
            #expect(claimed.map(\.request.idempotencyKey) == ["high", "low"])
            for job in claimed {
                #expect(job.state == .running)
                #expect(job.attempt == 1)
                #expect(job.attemptedBy == "w1")
                #expect((job.leaseExpiresAt ?? .distantPast) > Date().addingTimeInterval(20))
            }
            #expect(Set(claimed.compactMap(\.leaseToken)).count == 2, "each claim draws its own lease token")
            #expect(try await queue.claim(workerID: "w2", limit: 10, lease: .seconds(30)).isEmpty, "nothing else is due")
            let held = try await queue.renewLeases(claimed.compactMap(\.lease), lease: .seconds(60))
            #expect(held == Set(claimed.map(\.id)))
            let stale = claimed.map { JobLease(jobID: $0.id, token: ($0.leaseToken ?? 0) + 1_000_000) }
            #expect(try await queue.renewLeases(stale, lease: .seconds(60)).isEmpty, "a lease the job does not hold renews nothing")
        }
    }

    @Test func concurrentClaimersNeverShareAJob() async throws {
        try await withQueue { queue, _ in
            for i in 0..<200 { _ = try await queue.enqueue(Self.request("job-\(i)")) }
            let claims = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var mine: [Int64] = []
                        while true {
                            let batch = try await queue.claim(workerID: "w\(worker)", limit: 7, lease: .seconds(30))
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.id)
                        }
                    }
                }
                var all: [[Int64]] = []
                for try await ids in group { all.append(ids) }
                return all
            }
            let flat = claims.flatMap { $0 }
            #expect(flat.count == 200)
            #expect(Set(flat).count == 200, "a job was claimed twice")
            #expect(claims.filter { !$0.isEmpty }.count > 1, "the work was shared")
        }
    }

    @Test func theSendersStepsAreRecordedAndGuardedByTheLease() async throws {
        try await withQueue { queue, _ in
            let id = try await queue.enqueue(Self.request("steps")).jobID
            let lease = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
            let raw: [UInt8] = Array(0..<200).map { UInt8($0) }
            try await queue.recordSubmission(
                TransactionSubmission(
                    lease: lease, mintAddress: Self.recipient, signature: "sig-1", rawTransaction: raw, lastValidBlockHeight: 12_345))
            var job = try await queue.job(id: id)
            #expect(job.state == .submitted)
            #expect(job.rawTransaction == raw)
            #expect(job.lastValidBlockHeight == 12_345)
            #expect(job.mintAddress == Self.recipient)
            #expect(job.submittedAt != nil)
            #expect(job.signatures == ["sig-1"])

            // A second transaction (the first expired) joins the first; storing one again adds nothing.
            let second = TransactionSubmission(
                lease: lease, mintAddress: Self.recipient, signature: "sig-2", rawTransaction: [9], lastValidBlockHeight: 12_500)
            try await queue.recordSubmission(second)
            try await queue.recordSubmission(second)
            job = try await queue.job(id: id)
            #expect(job.signatures == ["sig-1", "sig-2"])
            #expect(job.signature == "sig-2" && job.rawTransaction == [9] && job.lastValidBlockHeight == 12_500)
            // Another mint address is refused: a job keeps the mint it stored first.
            await #expect(throws: StoreError.self) {
                try await queue.recordSubmission(
                    TransactionSubmission(lease: lease, mintAddress: "other", signature: "sig-3", rawTransaction: [1], lastValidBlockHeight: 1))
            }
            #expect(try await queue.job(id: id).signatures == ["sig-1", "sig-2"])

            // A lease the job does not hold cannot touch it.
            await #expect(throws: StoreError.self) { try await queue.markConfirmed(JobLease(jobID: id, token: lease.token + 1), signature: "sig-1") }

            // Confirmed by its first transaction (a lagging node had not shown it): the stored bytes were the second's.
            try await queue.markConfirmed(lease, signature: "sig-1")
            #expect(try await queue.job(id: id).rawTransaction == nil)
            #expect(try await queue.markFinalized(jobID: id))
            #expect(try await queue.markFinalized(jobID: id) == false, "finalizing twice (two workers) is harmless")
            job = try await queue.job(id: id)
            #expect(job.state == .finalized)
            #expect(job.confirmedAt != nil && job.finalizedAt != nil && job.finishedAt != nil)
        }
    }

    @Test func aBatchOfConfirmationsMarksOnlyTheJobsTheWorkerHolds() async throws {
        try await withQueue { queue, _ in
            for i in 0..<5 { _ = try await queue.enqueue(Self.request("batch-\(i)")) }
            let leases = try await queue.claim(workerID: "w1", limit: 4, lease: .seconds(30)).compactMap(\.lease)
            let mine = leases.map(\.jobID)
            let other = try await queue.claim(workerID: "w2", limit: 1, lease: .seconds(30)).map(\.id)
            #expect(mine.count == 4 && other.count == 1)
            _ = try await queue.cancel(jobID: mine[3])
            let marked = try await queue.markConfirmed(
                (leases + other.map { JobLease(jobID: $0, token: leases[0].token) }).map { (lease: $0, signature: "sig-\($0.jobID)") })
            #expect(marked == Set(mine.prefix(3)), "not the cancelled job, not another worker's")
            for id in mine.prefix(3) {
                let job = try await queue.job(id: id)
                #expect(job.state == .confirmed && job.signature == "sig-\(id)" && job.confirmedAt != nil)
            }
            #expect(try await queue.job(id: other[0]).state == .running)
            #expect(try await queue.job(id: mine[3]).state == .cancelled)
            #expect(try await queue.markConfirmed([]).isEmpty)
        }
    }

    @Test func failuresRetryWithTheirHistoryAndPermanentOnesFail() async throws {
        try await withQueue { queue, _ in
            var request = Self.request("flaky")
            request.maxAttempts = 2
            let id = try await queue.enqueue(request).jobID
            let first = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
            let state = try await queue.recordFailure(
                first, errorClass: "transient", message: "HTTP 429 from the RPC", permanent: false, retryAt: Date())
            #expect(state == .retryable)
            let again = try await queue.claim(workerID: "w2", limit: 1, lease: .seconds(30))
            #expect(again.map(\.id) == [id])
            #expect(again.first?.attempt == 2)
            let last = try await queue.recordFailure(
                try #require(again.first?.lease), errorClass: "transient", message: "timeout", permanent: false, retryAt: Date())
            #expect(last == .failed, "attempts exhausted")
            let job = try await queue.job(id: id)
            #expect(job.errors.map(\.message) == ["HTTP 429 from the RPC", "timeout"])
            #expect(job.errors.map(\.attempt) == [1, 2])
            #expect(job.errors.allSatisfy { $0.errorClass == "transient" && abs($0.at.timeIntervalSinceNow) < 60 })

            _ = try await queue.enqueue(Self.request("doomed"))
            let doomed = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
            #expect(
                try await queue.recordFailure(
                    doomed, errorClass: "insufficient_funds", message: "the fee payer has 0 lamports", permanent: true, retryAt: Date()) == .failed)

            // A job that stored a transaction is not failed for used-up attempts: the transaction may still land.
            var once = Self.request("sent-once")
            once.maxAttempts = 1
            let sentOnce = try await queue.enqueue(once).jobID
            let sentLease = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
            try await queue.recordSubmission(
                TransactionSubmission(lease: sentLease, mintAddress: Self.recipient, signature: "s", rawTransaction: [1], lastValidBlockHeight: 5))
            #expect(
                try await queue.recordFailure(
                    sentLease, errorClass: "transient", message: "HTTP 429", permanent: false, retryAt: Date()) == .retryable)
            #expect(try await queue.job(id: sentOnce).state == .retryable)

            // An operator retries the failed job.
            let retried = try await queue.retry(jobID: id)
            #expect(retried.state == .available)
            #expect(retried.attempt == 2 && retried.request.maxAttempts == 4, "a fresh set of attempts after the two made")
            await #expect(throws: StoreError.self) { _ = try await queue.retry(jobID: retried.id) }
        }
    }

    @Test func expiredLeasesAreRescued() async throws {
        try await withQueue { queue, _ in
            let fresh = try await queue.enqueue(Self.request("crashed-before-send")).jobID
            let sent = try await queue.enqueue(Self.request("crashed-after-send")).jobID
            var lastAttempt = Self.request("crashed-on-its-last-attempt")
            lastAttempt.maxAttempts = 1
            let exhausted = try await queue.enqueue(lastAttempt).jobID
            let dead = try await queue.claim(workerID: "dead", limit: 3, lease: .milliseconds(50))
            let deadLease = try #require(dead.first { $0.id == sent }?.lease)
            try await queue.recordSubmission(
                TransactionSubmission(lease: deadLease, mintAddress: Self.recipient, signature: "sig", rawTransaction: [1], lastValidBlockHeight: 9))
            try await Task.sleep(for: .milliseconds(120))
            // The never-submitted job on its last attempt fails; the others are retried (what the failure metric counts).
            #expect(try await queue.rescueExpiredLeases() == LeaseRescue(retried: 2, failed: 1))
            for id in [fresh, sent] {
                let job = try await queue.job(id: id)
                #expect(job.state == .retryable)
                #expect(job.errors.last?.errorClass == "lease_expired")
            }
            let failed = try await queue.job(id: exhausted)
            #expect(failed.state == .failed && failed.errors.last?.errorClass == "lease_expired", "\(failed.state) \(failed.errors)")
            let resumed = try await queue.claim(workerID: "alive", limit: 3, lease: .seconds(30))
            #expect(Set(resumed.map(\.id)) == [fresh, sent])
            #expect(resumed.first { $0.id == sent }?.signature == "sig", "the stored transaction survives the rescue")
            // The dead worker can no longer write.
            await #expect(throws: StoreError.self) {
                try await queue.markConfirmed(deadLease, signature: "sig")
            }
        }
    }

    /// A runner whose database stalled past its lease comes back after the same worker name (the same process, or
    /// two processes with one FLUTTERBYE_WORKER_ID) claimed the job again: the earlier claim can write nothing.
    @Test func aStepOfAnEarlierClaimFailsAfterTheSameWorkerClaimedTheJobAgain() async throws {
        try await withQueue { queue, _ in
            let id = try await queue.enqueue(Self.request("stalled")).jobID
            let first = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .milliseconds(50)).first?.lease)
            try await Task.sleep(for: .milliseconds(120))
            #expect(try await queue.rescueExpiredLeases().count == 1)
            let second = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(30)).first?.lease)
            #expect(second.jobID == id && second.token != first.token)
            await #expect(throws: StoreError.self, "the first claim's runner must not record a transaction") {
                try await queue.recordSubmission(
                    TransactionSubmission(lease: first, mintAddress: Self.recipient, signature: "stale", rawTransaction: [1], lastValidBlockHeight: 1)
                )
            }
            #expect(try await queue.job(id: id).signature == nil)
            #expect(try await queue.renewLeases([first], lease: .seconds(30)).isEmpty)
            await #expect(throws: StoreError.self) { try await queue.markConfirmed(first, signature: "stale") }
            #expect(try await queue.release([first]).isEmpty)
            #expect(try await queue.job(id: id).state == .running, "the second claim still holds it")
        }
    }

    /// A worker never claims a job it is still running, even when its lease expired and the job was rescued.
    @Test func aClaimSkipsTheJobsTheWorkerIsRunning() async throws {
        try await withQueue { queue, _ in
            let running = try await queue.enqueue(Self.request("running")).jobID
            let waiting = try await queue.enqueue(Self.request("waiting")).jobID
            _ = try await queue.claim(workerID: "w1", limit: 1, lease: .milliseconds(50))
            try await Task.sleep(for: .milliseconds(120))
            #expect(try await queue.rescueExpiredLeases().count == 1)
            #expect(try await queue.claim(workerID: "w1", limit: 5, lease: .seconds(30), excluding: [running]).map(\.id) == [waiting])
            #expect(try await queue.job(id: running).state == .retryable)
        }
    }

    @Test func releaseCancelAndPrune() async throws {
        try await withQueue { queue, client in
            let a = try await queue.enqueue(Self.request("a")).jobID
            let b = try await queue.enqueue(Self.request("b")).jobID
            let aLease = try #require(try await queue.claim(workerID: "w1", limit: 2, lease: .seconds(30)).first { $0.id == a }?.lease)
            try await queue.release(aLease)
            #expect(try await queue.job(id: a).state == .available)
            #expect(try await queue.job(id: a).attempt == 0, "a release does not count as an attempt")
            #expect(try await queue.cancel(jobID: b).state == .cancelled)
            await #expect(throws: StoreError.self) { _ = try await queue.cancel(jobID: b) }
            // A job whose transaction was stored (so possibly sent) cannot be cancelled: it may still land.
            let c = try await queue.enqueue(Self.request("c")).jobID
            let claimedAgain = try await queue.claim(workerID: "w1", limit: 5, lease: .seconds(30))
            let cLease = try #require(claimedAgain.first { $0.id == c }?.lease)
            let aLeaseAgain = try #require(claimedAgain.first { $0.id == a }?.lease)
            try await queue.recordSubmission(
                TransactionSubmission(
                    lease: cLease, mintAddress: Self.recipient, signature: "sig-c", rawTransaction: [1, 2, 3], lastValidBlockHeight: 100))
            do {
                _ = try await queue.cancel(jobID: c)
                Issue.record("a submitted job must not be cancellable")
            } catch let error as StoreError {
                #expect(error.code == .invalidJobState)
                #expect(error.message.contains("may still land"), "\(error)")
            }
            #expect(try await queue.job(id: c).state == .submitted)
            _ = try await queue.recordFailure(cLease, errorClass: "transient", message: "node behind", permanent: false, retryAt: Date())
            #expect(try await queue.job(id: c).state == .retryable)
            await #expect(throws: StoreError.self, "retryable, but its stored transaction may still land") {
                _ = try await queue.cancel(jobID: c)
            }
            try await client.query("DELETE FROM flutterbye.token_jobs WHERE id = \(c)", logger: TestDatabase.logger)
            try await queue.release(aLeaseAgain)
            await #expect(throws: StoreError.self) { _ = try await queue.job(id: 999_999) }

            #expect(try await queue.prune(finishedBefore: Date().addingTimeInterval(-60)) == 0, "recent jobs are kept")
            #expect(try await queue.prune(finishedBefore: Date().addingTimeInterval(60)) == 1)
            #expect(try await TestDatabase.count("SELECT count(*)::int8 FROM flutterbye.token_jobs", on: client) == 1)
            #expect(try await queue.countsByState() == [.available: 1])
        }
    }

    /// A failed job an operator retries while the pruner's DELETE runs is no longer finished when the pruner reaches
    /// it: it must be kept (the operator was told it runs again), not deleted from under the retry.
    @Test func aJobRetriedWhileThePrunerRunsIsKept() async throws {
        try await withQueue { queue, client in
            let job = try await queue.enqueue(Self.request("retried-while-pruned")).jobID
            try await client.query(
                "UPDATE flutterbye.token_jobs SET state = 'failed', finished_at = now() - interval '2 days' WHERE id = \(job)",
                logger: TestDatabase.logger)
            try await client.withConnection { retrier in
                // The retry holds the job's row while the pruner, whose snapshot still sees it failed, waits for it.
                try await retrier.query("BEGIN", logger: TestDatabase.logger)
                try await retrier.query(
                    """
                    UPDATE flutterbye.token_jobs SET state = 'available', attempt = 0, scheduled_at = now(), finished_at = NULL
                    WHERE id = \(job) AND state = 'failed'
                    """, logger: TestDatabase.logger)
                let pruning = Task { try await queue.prune(finishedBefore: Date().addingTimeInterval(-3600)) }
                let waiting: PostgresQuery = """
                    SELECT count(*)::int8 FROM pg_stat_activity
                    WHERE wait_event_type = 'Lock' AND datname = current_database() AND query LIKE '%DELETE FROM flutterbye.token_jobs%'
                    """
                var found = 0
                for _ in 0..<200 where found == 0 {
                    try await Task.sleep(for: .milliseconds(25))
                    found = try await TestDatabase.count(waiting, on: client)
                }
                try #require(found >= 1, "the pruner waits for the retried job's row")
                try await retrier.query("COMMIT", logger: TestDatabase.logger)
                #expect(try await pruning.value == 0, "the retried job is no longer finished")
            }
            #expect(try await queue.job(id: job).state == .available)
            #expect(try await queue.job(idempotencyKey: "retried-while-pruned")?.id == job)
        }
    }

    @Test func enqueueNotifiesListeners() async throws {
        try await withQueue { queue, client in
            try await client.withConnection { connection in
                try await connection.listen(on: TokenJobQueue.notificationChannel) { notifications in
                    let id = try await queue.enqueue(Self.request("wake-up")).jobID
                    var iterator = notifications.makeAsyncIterator()
                    let first = try await iterator.next()
                    #expect(first?.payload == String(id))
                }
            }
        }
    }
}

extension TokenJobRequest {
    func withScheduledAt(_ date: Date?) -> TokenJobRequest {
        var copy = self
        copy.scheduledAt = date
        return copy
    }
}

@Suite struct BundledSchemaTests {
    @Test func theBinaryCarriesTheRepositorySchema() throws {
        #expect(SchemaMigrator.bundledSchemaSQL == (try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath)))
        #expect(try SchemaMigrator.bundled().statements.count >= 3)
    }
}
