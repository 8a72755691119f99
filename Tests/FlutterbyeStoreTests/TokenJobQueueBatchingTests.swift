import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// Enqueue's checks in Swift against `enqueue_token_job`'s in SQL, and the gathering of concurrent `enqueue` and
/// `markConfirmed` calls into shared statements: each caller still gets its own answer.
extension TokenJobQueueTests {
    /// What `flutterbye.enqueue_token_job` (the backend's statement) answers for `request`: nil when it accepts it,
    /// else the server's message.
    static func functionRefusal(_ request: TokenJobRequest, on client: PostgresClient) async throws -> String? {
        let query: PostgresQuery = """
            SELECT job_id FROM flutterbye.enqueue_token_job(
                idempotency_key => \(request.idempotencyKey), token_program => \(request.tokenProgram),
                decimals => \(request.decimals)::integer, name => \(request.name), symbol => \(request.symbol),
                uri => \(request.uri), amount => \(request.amount), recipient => \(request.recipient), memo => \(request.memo),
                priority => \(request.priority)::integer, scheduled_at => \(request.scheduledAt), max_attempts => \(request.maxAttempts)::integer,
                mint_authority => \(request.mintAuthority), freeze_authority => \(request.freezeAuthority),
                metadata_update_authority => \(request.metadataUpdateAuthority),
                additional_metadata => \(request.storedAdditionalMetadata)::jsonb)
            """
        do {
            _ = try await client.query(query, logger: TestDatabase.logger).collect()
            return nil
        } catch let error as PSQLError {
            return error.serverInfo?[.message] ?? "\(error)"
        }
    }

    /// Sends `request` to `enqueue_token_job`, then to `enqueue`, and expects them to agree: `enqueue` accepts what
    /// the function accepted (finding the job it inserted), and refuses what it refused with its message, naming the
    /// field the message names first. With `accepted`, the function must also accept exactly that. Returns whether
    /// `enqueue` accepted the request.
    @discardableResult
    static func expectEnqueueAgreesWithTheFunction(
        _ request: TokenJobRequest, accepted: Bool? = nil, queue: TokenJobQueue, client: PostgresClient,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Bool {
        let expected = try await functionRefusal(request, on: client)
        if let accepted {
            #expect((expected == nil) == accepted, "\(request.idempotencyKey): \(expected ?? "accepted")", sourceLocation: sourceLocation)
        }
        do {
            let result = try await queue.enqueue(request)
            #expect(expected == nil, "enqueue accepted what the function refuses: \(expected ?? "")", sourceLocation: sourceLocation)
            #expect(!result.inserted, "the function already inserted \(request.idempotencyKey)", sourceLocation: sourceLocation)
            return true
        } catch {
            #expect(error.code == .invalidJob, "\(error)", sourceLocation: sourceLocation)
            #expect(expected.map { "\($0); nothing was enqueued" } == error.message, sourceLocation: sourceLocation)
            #expect(expected?.hasPrefix("invalid \(error.field ?? "?"):") == true, "\(error)", sourceLocation: sourceLocation)
            return false
        }
    }

    @Test func enqueueRefusesExactlyWhatTheBackendsStatementRefusesWithTheSameMessage() async throws {
        try await withQueue { queue, client in
            var cases: [TokenJobRequest] = []
            func variant(_ change: (inout TokenJobRequest) -> Void) {
                var request = Self.request("parity-\(cases.count)")
                change(&request)
                cases.append(request)
            }
            variant { $0.idempotencyKey = "" }
            variant { $0.idempotencyKey = String(repeating: "k", count: 201) }
            variant { $0.idempotencyKey = String(repeating: "é", count: 200) }  // 200 characters, 400 bytes: fine
            variant { $0.tokenProgram = "Token" }
            variant { $0.decimals = -1 }
            variant { $0.decimals = 9 }
            variant { $0.name = String(repeating: "n", count: 32) }
            variant { $0.name = String(repeating: "é", count: 17) }
            variant { $0.symbol = "SYMBOL-ELEVEN" }
            variant { $0.uri = String(repeating: "u", count: 201) }
            variant { $0.amount = "" }
            variant { $0.amount = "1e9" }
            variant { $0.amount = "it's" }
            variant { $0.amount = #"back\slash"# }
            variant { $0.amount = "١٢" }  // Arabic-Indic digits are not [0-9]
            variant { $0.amount = "000000000000000000001" }  // 21 digits
            variant { $0.amount = "00000000000000000001" }  // 20 digits: fine
            variant { $0.amount = "09999999999999999999" }  // fine
            variant { $0.amount = "18446744073709551615" }  // u64::MAX: fine
            variant { $0.amount = "18446744073709551616" }
            variant { $0.amount = "99999999999999999999" }
            variant { $0.recipient = "11111111111111111111111111111111" }  // 32 zero bytes: nobody can sign for them
            variant { $0.recipient = "1111111111111111111111111111111" }
            variant { $0.recipient = "o'neil" }
            variant { $0.recipient = String(repeating: "z", count: 44) }  // 44 characters, more than 32 bytes
            variant { $0.recipient = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39zé" }
            variant { $0.memo = String(repeating: "m", count: 501) }
            variant { $0.priority = 101 }
            variant { $0.priority = -100 }
            variant { $0.maxAttempts = 0 }
            variant { $0.maxAttempts = 1001 }
            variant {  // several bad fields: the first one, in the function's order, is named
                $0.amount = "x"
                $0.name = String(repeating: "n", count: 40)
                $0.recipient = "bad"
            }
            var accepted = 0
            for request in cases {
                if try await Self.expectEnqueueAgreesWithTheFunction(request, queue: queue, client: client) { accepted += 1 }
            }
            #expect(accepted == 7)
        }
    }

    @Test func concurrentEnqueuesShareStatementsAndEachGetsItsOwnAnswer() async throws {
        try await withQueue { queue, client in
            let existing = try await queue.enqueue(Self.request("existing"))
            try await client.withConnection { connection in
                try await connection.listen(on: TokenJobQueue.notificationChannel) { notifications in
                    // 60 callers at once: 50 new keys, 5 repeats of the existing job, 4 that reuse its key with another
                    // amount, and one with a NUL character that only the server refuses (its batch falls back to one
                    // statement per job, so the others are not refused with it).
                    let outcomes = await withTaskGroup(of: (Int, Result<TokenJobEnqueueResult, StoreError>).self) { group in
                        for index in 0..<60 {
                            group.addTask {
                                var request: TokenJobRequest
                                switch index {
                                case 0..<50: request = Self.request("many-\(index)")
                                case 50..<55: request = Self.request("existing")
                                case 55..<59: request = Self.request("existing", amount: "\(index)")
                                default:
                                    request = Self.request("nul")
                                    request.name = "a\u{0}b"
                                }
                                do { return (index, .success(try await queue.enqueue(request))) } catch {
                                    return (index, .failure(error as? StoreError ?? StoreError(.queryFailed, "\(error)")))
                                }
                            }
                        }
                        var outcomes: [Int: Result<TokenJobEnqueueResult, StoreError>] = [:]
                        for await (index, outcome) in group { outcomes[index] = outcome }
                        return outcomes
                    }
                    var newIDs = Set<Int64>()
                    for index in 0..<60 {
                        switch (index, outcomes[index]) {
                        case (0..<50, .success(let result)?):
                            #expect(result.inserted && result.state == .available)
                            newIDs.insert(result.jobID)
                        case (50..<55, .success(let result)?):
                            #expect(!result.inserted && result.jobID == existing.jobID)
                        case (55..<59, .failure(let error)?):
                            #expect(error.code == .idempotencyConflict, "\(error)")
                        case (59, .failure(let error)?):
                            #expect(error.code == .queryFailed, "\(error)")
                        default:
                            Issue.record("caller \(index) got \(String(describing: outcomes[index]))")
                        }
                    }
                    #expect(newIDs.count == 50)
                    #expect(try await TestDatabase.count("SELECT count(*)::int8 FROM flutterbye.token_jobs", on: client) == 51)
                    // A statement that enqueued jobs woke the listeners with one of its new ids.
                    var iterator = notifications.makeAsyncIterator()
                    let first = try #require(try await iterator.next())
                    #expect(newIDs.contains(Int64(first.payload) ?? -1))
                }
            }
        }
    }

    @Test func concurrentConfirmationsShareAStatementAndEachWorkerGetsItsOwnJobs() async throws {
        try await withQueue { queue, _ in
            for i in 0..<40 { _ = try await queue.enqueue(Self.request("confirm-\(i)")) }
            var held: [String: [JobLease]] = [:]
            for worker in 0..<8 {
                held["w\(worker)"] = try await queue.claim(workerID: "w\(worker)", limit: 5, lease: .seconds(30)).compactMap(\.lease)
            }
            let snapshot = held
            // Each worker confirms its own jobs plus one of its neighbour's under a lease it does not hold, which must be
            // left alone.
            let answers = try await withThrowingTaskGroup(of: (String, Set<Int64>).self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        let mine = snapshot["w\(worker)"] ?? []
                        let neighbours = snapshot["w\((worker + 1) % 8)"] ?? []
                        let stale = neighbours.prefix(1).map { JobLease(jobID: $0.jobID, token: -1) }
                        let marked = try await queue.markConfirmed((mine + stale).map { (lease: $0, signature: "sig-\($0.jobID)") })
                        return ("w\(worker)", marked)
                    }
                }
                var answers: [String: Set<Int64>] = [:]
                for try await (worker, marked) in group { answers[worker] = marked }
                return answers
            }
            for (worker, leases) in held {
                #expect(answers[worker] == Set(leases.map(\.jobID)), "\(worker)")
                for lease in leases { #expect(try await queue.job(id: lease.jobID).state == .confirmed) }
            }
            #expect(try await queue.countsByState() == [.confirmed: 40])
        }
    }
}

extension TokenJobQueueTests {
    @Test(.timeLimit(.minutes(1)))
    func aStatementThatGetsNoAnswerInTimeFailsAsUnavailableAndTheQueueCarriesOn() async throws {
        try await withQueue { _, client in
            let queue = TokenJobQueue(client: client, logger: TestDatabase.logger, statementTimeout: .milliseconds(300))
            let id = try await queue.enqueue(Self.request("locked")).jobID
            try await client.withConnection { connection in
                // Another transaction holds the job's row: cancelling the job waits for it beyond the deadline.
                try await connection.query("BEGIN", logger: TestDatabase.logger)
                try await connection.query("SELECT id FROM flutterbye.token_jobs WHERE id = \(id) FOR UPDATE", logger: TestDatabase.logger)
                do {
                    _ = try await queue.cancel(jobID: id)
                    Issue.record("cancel should have run out of time while the row is locked")
                } catch let error as StoreError {
                    #expect(error.code == .databaseUnavailable, "\(error)")
                    #expect(error.message.contains("did not answer within"), "\(error)")
                }
                try await connection.query("ROLLBACK", logger: TestDatabase.logger)
            }
            // The lock is gone: the queue answers again. The statement that ran out of time was only abandoned by
            // its caller, so it may still have taken effect (as its error says): the job is cancelled either way.
            do { _ = try await queue.cancel(jobID: id) } catch let error as StoreError where error.code == .invalidJobState {}
            #expect(try await queue.job(id: id).state == .cancelled)
            #expect(try await queue.enqueue(Self.request("after")).inserted)
        }
    }
}

extension TokenJobQueueTests {
    @Test func version3MovesTheRequestChecksIntoDomainsKeepingTheJobsAndTheRules() async throws {
        try await withQueue { queue, client in
            let logger = TestDatabase.logger
            // The name column as version 2 had it: plain text with a table CHECK constraint.
            try await client.query("ALTER TABLE flutterbye.token_jobs ALTER COLUMN name TYPE text", logger: logger)
            try await client.query(
                "ALTER TABLE flutterbye.token_jobs ADD CONSTRAINT token_jobs_name_length CHECK (octet_length(name) <= 32)", logger: logger)
            try await client.query("DELETE FROM flutterbye.schema_migrations WHERE version = 3", logger: logger)
            // A database of version 2 has no digest of a script applied (version 10 records it), so a start applies the script.
            try await client.query("DELETE FROM flutterbye.schema_script", logger: logger)
            let id = try await queue.enqueue(Self.request("before-v3")).jobID

            let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
            try await migrator.apply(on: client, logger: logger)
            #expect(try await queue.job(id: id).request == Self.request("before-v3").withScheduledAt(try await queue.job(id: id).request.scheduledAt))
            #expect(
                try await TestDatabase.count(
                    """
                    SELECT count(*)::int8 FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                    WHERE a.attrelid = 'flutterbye.token_jobs'::regclass AND a.attname = 'name' AND t.typname = 'token_name'
                    """, on: client) == 1)
            #expect(
                try await TestDatabase.count(
                    "SELECT count(*)::int8 FROM pg_constraint WHERE conrelid = 'flutterbye.token_jobs'::regclass AND contype = 'c'",
                    on: client) == 2, "only the state and attempts checks stay on the table")
            #expect(try await TestDatabase.count("SELECT count(*)::int8 FROM flutterbye.schema_migrations WHERE version = 3", on: client) == 1)

            // The rules still hold for a row written past enqueue.
            let longName = String(repeating: "n", count: 33)
            let directInserts = [
                ("name", "'token', 6, '\(longName)', 1"),
                ("amount", "'token', 6, 'n', 18446744073709551616"),
                ("decimals", "'token', 10, 'n', 1"),
                ("token_program", "'token-2023', 6, 'n', 1"),
            ]
            for (field, values) in directInserts {
                do {
                    try await client.query(
                        PostgresQuery(
                            unsafeSQL: """
                                INSERT INTO flutterbye.token_jobs (idempotency_key, token_program, decimals, name, amount, symbol, uri, recipient)
                                VALUES ('direct-\(field)', \(values), 's', 'u', 'r')
                                """), logger: logger)
                    Issue.record("a direct insert with a bad \(field) must be refused")
                } catch let error as PSQLError {
                    #expect(error.serverInfo?[.sqlState] == "23514", "\(field): \(String(reflecting: error))")
                }
            }
        }
    }
}
