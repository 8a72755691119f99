import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// The master seed's fingerprint against real PostgreSQL: the first recording wins, later ones read it back, and
/// concurrent first recordings agree on one.
@Suite(
    "KeyFingerprints against PostgreSQL",
    .enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"),
    .serialized)
struct KeyFingerprintsTests {
    @Test func theFirstRecordingWinsAndLaterOnesReadItBack() async throws {
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
            try await migrator.apply(on: client, logger: TestDatabase.logger)
            try await client.query("DELETE FROM flutterbye.key_fingerprints", logger: TestDatabase.logger)
            let fingerprints = KeyFingerprints(client: client, logger: TestDatabase.logger)
            let candidates = (0..<8).map { "fingerprint-\($0)" }
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for candidate in candidates {
                    group.addTask { try await fingerprints.record(KeyFingerprints.masterSeed, fingerprint: candidate).fingerprint }
                }
                var answers: [String] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            #expect(Set(answers).count == 1, "concurrent first recordings agree: \(answers)")
            let winner = try #require(answers.first)
            #expect(candidates.contains(winner))
            let later = try await fingerprints.record(KeyFingerprints.masterSeed, fingerprint: "another")
            #expect(later.fingerprint == winner, "a later recording reads the first one back")
            #expect(abs(later.recordedAt.timeIntervalSinceNow) < 60)
        }
    }

    /// A server that refuses the statement (here: a role without rights on the table) is a failed query with the
    /// server's code and words, not "the database is unavailable, check that it is running".
    @Test func aRefusalByTheServerIsAFailedQueryNotAnUnavailableDatabase() async throws {
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
            try await migrator.apply(on: client, logger: TestDatabase.logger)
            try await client.query(
                "DO $$ BEGIN CREATE ROLE flutterbye_no_rights LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
                logger: TestDatabase.logger)
        }
        var configuration = try DatabaseConfiguration(url: try #require(TestDatabase.url)).clientConfiguration
        configuration.username = "flutterbye_no_rights"
        let client = PostgresClient(configuration: configuration)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let fingerprints = KeyFingerprints(client: client, logger: TestDatabase.logger)
            let error = await #expect(throws: StoreError.self) {
                _ = try await fingerprints.record(KeyFingerprints.masterSeed, fingerprint: "refused")
            }
            #expect(error?.code == .queryFailed, "\(String(describing: error))")
            #expect(error?.sqlState == "42501", "\(String(describing: error))")
            #expect(error?.message.contains("permission denied") == true, "\(String(describing: error))")
        }
    }
}
