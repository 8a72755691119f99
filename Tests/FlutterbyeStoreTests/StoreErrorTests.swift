import FlutterbyeStore
import FlutterbyeTestSupport
import PostgresNIO
import Testing
import _ConnectionPoolModule

/// How a failure is classified: the connection pool's refusal while it cannot connect (its circuit breaker, open
/// after a minute of failed connection attempts and until one succeeds, seconds after the server is back) is the
/// database being unavailable, as a refused or broken connection is (PSQLError); the API answers it 503, not 500.
struct StoreErrorTests {
    @Test func thePoolsCircuitBreakerIsTheDatabaseBeingUnavailable() {
        let error = StoreError.statementFailed(ConnectionPoolError.connectionCreationCircuitBreakerTripped, while: "reading a job")
        #expect(error.code == .databaseUnavailable, "\(error)")
        #expect(error.message.hasPrefix("reading a job failed"))
    }

    /// The server's own goodbye (SQLSTATE 57P01, "terminating connection due to administrator command"), as every
    /// open connection gets when PostgreSQL is stopped or restarted: the database is unavailable, so a request that
    /// meets it is answered 503 with Retry-After (a load test saw it answered 500 while PostgreSQL restarted).
    @Test(.enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"))
    func aConnectionTheServerTerminatesIsTheDatabaseBeingUnavailable() async throws {
        try await TestDatabase.withClient { client in
            do {
                _ = try await client.query("SELECT pg_terminate_backend(pg_backend_pid())", logger: TestDatabase.logger).collect()
                Issue.record("the server did not end the connection")
            } catch {
                let stored = StoreError.statementFailed(error, while: "listing jobs")
                #expect(stored.code == .databaseUnavailable, "\(stored)")
                #expect(stored.message.hasPrefix("listing jobs failed"))
            }
        }
    }

    @Test func anErrorFromElsewhereIsAFailedQuery() {
        struct Other: Error {}
        #expect(StoreError.statementFailed(Other(), while: "x").code == .queryFailed)
    }
}
