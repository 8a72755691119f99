import ChainTestSupport
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import Testing

/// `flutterbye enqueue` with the issuer's choices: the job is stored with them; a bad choice, a metadata field without
/// `=`, and additional metadata too large for the transaction are refused with the queue's message, writing nothing.
@Suite(
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: WorkerProcessLauncher.binary.path) && TestDatabase.testsEnabled,
        "needs the flutterbye binary and the test database: run Tests/run"), .serialized)
struct EnqueueCommandTests {
    static let logger = Logger(label: "EnqueueCommandTests")
    static let recipient = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"
    static let escrow = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"

    static func enqueue(_ key: String, _ extra: [String], url: String) async throws -> (status: Int32, output: String) {
        try await RunCommandTests.runFlutterbye(
            [
                "enqueue", "--idempotency-key", key, "--program", "token-2022", "--decimals", "6", "--name", "Choice", "--symbol", "CHO",
                "--uri", "https://flutterbye.example/choice.json", "--amount", "1000", "--recipient", recipient,
            ] + extra, environment: ["DATABASE_URL": url])
    }

    @Test func theChoicesAreEnqueuedOrRefusedWithTheQueuesMessage() async throws {
        try await TestDatabase.withMigratedDatabase("flutterbye_enqueue_command", truncating: "flutterbye.token_jobs") { client, database in
            let url = "postgres://\(database.username)@\(database.host):\(database.port)/\(database.database)"
            let (status, output) = try await Self.enqueue(
                "cli-chosen",
                [
                    "--mint-authority", "revoke", "--freeze-authority", Self.escrow, "--metadata-update-authority", "none", "--metadata-field",
                    "website=https://flutterbye.example/?a=b", "--metadata-field", "twitter=@flutterbye",
                ], url: url)
            #expect(status == 0 && output.contains("\"inserted\": true"), "\(output)")
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let job = try #require(try await queue.job(idempotencyKey: "cli-chosen"))
            #expect(job.request.mintAuthority == "revoke" && job.request.freezeAuthority == Self.escrow)
            #expect(job.request.metadataUpdateAuthority == "none")
            #expect(
                job.request.additionalMetadata == [
                    TokenMetadataField("website", "https://flutterbye.example/?a=b"), TokenMetadataField("twitter", "@flutterbye"),
                ])

            let refusals: [([String], String)] = [
                (["--mint-authority", "forever"], "invalid mint_authority: 'forever' is not keep, revoke or a base58 Solana address"),
                (["--metadata-field", "website"], "--metadata-field takes KEY=VALUE, not 'website'"),
                (
                    ["--metadata-field", "about=" + String(repeating: "a", count: 900)],
                    "invalid name, symbol, uri, additional_metadata: together they make the job's transaction"
                ),
            ]
            for (index, (arguments, message)) in refusals.enumerated() {
                let (refused, text) = try await Self.enqueue("cli-refused-\(index)", arguments, url: url)
                #expect(refused != 0 && text.contains(message), "\(arguments.first ?? ""): \(text)")
            }
            #expect(try await TestDatabase.count("SELECT count(*)::int8 FROM flutterbye.token_jobs", on: client) == 1)
        }
    }

    /// Without `--program`, the command line enqueues what `POST /v1/jobs` without `token_program` enqueues (a classic
    /// token), so the same order sent both ways is one job. The command defaulted to token-2022, and the second path
    /// was refused as the key "with different parameters".
    @Test func theProgramDefaultsAsInTheAPI() async throws {
        try await TestDatabase.withMigratedDatabase("flutterbye_enqueue_default", truncating: "flutterbye.token_jobs") { client, database in
            let url = "postgres://\(database.username)@\(database.host):\(database.port)/\(database.database)"
            let (status, output) = try await RunCommandTests.runFlutterbye(
                [
                    "enqueue", "--idempotency-key", "cli-default", "--decimals", "6", "--name", "Choice", "--symbol", "CHO", "--uri",
                    "https://flutterbye.example/choice.json", "--amount", "1000", "--recipient", Self.recipient,
                ], environment: ["DATABASE_URL": url])
            #expect(status == 0, "\(output)")
            let job = try #require(try await TokenJobQueue(client: client, logger: Self.logger).job(idempotencyKey: "cli-default"))
            #expect(job.request.tokenProgram == "token")
        }
    }

    /// A database that cannot be reached is said to be so at once, as `flutterbye migrate` says it: the command waited
    /// 30 s and then said PostgreSQL did not answer, that the job "may still take effect" and to look for long locks.
    @Test func anUnreachableDatabaseIsNamedAtOnce() async throws {
        let started = ContinuousClock.now
        let (status, output) = try await Self.enqueue("cli-nowhere", [], url: "postgres://worker:secret-pw@127.0.0.1:1/flutterbye")
        #expect(status != 0 && output.contains("cannot connect to postgres://worker:***@127.0.0.1:1/flutterbye"), "\(output)")
        #expect(output.contains("Connection refused"), "\(output)")
        #expect(!output.contains("may still take effect") && !output.contains("secret-pw"), "\(output)")
        #expect(ContinuousClock.now - started < .seconds(20), "it waited for the statement's deadline")
    }

    /// Every field of a job can be given on the command line, as the README says: `--scheduled-at` (RFC 3339, read as
    /// the API reads it) and `--max-attempts` were missing.
    @Test func theScheduleAndTheAttemptsCanBeGiven() async throws {
        try await TestDatabase.withMigratedDatabase("flutterbye_enqueue_schedule", truncating: "flutterbye.token_jobs") { client, database in
            let url = "postgres://\(database.username)@\(database.host):\(database.port)/\(database.database)"
            let (status, output) = try await Self.enqueue(
                "cli-scheduled", ["--scheduled-at", "2030-01-02T03:04:05Z", "--max-attempts", "3"], url: url)
            #expect(status == 0, "\(output)")
            let job = try #require(try await TokenJobQueue(client: client, logger: Self.logger).job(idempotencyKey: "cli-scheduled"))
            #expect(job.request.scheduledAt == Date(timeIntervalSince1970: 1_893_553_445))
            #expect(job.request.maxAttempts == 3)
            let (refused, text) = try await Self.enqueue("cli-bad-time", ["--scheduled-at", "2026-02-30T12:00:00Z"], url: url)
            #expect(refused != 0 && text.contains("--scheduled-at"), "\(text)")
        }
    }
}
