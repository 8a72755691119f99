import _ConnectionPoolModule
import FlutterbyeStore
import Testing

/// How a failure is classified: the connection pool's refusal while it cannot connect (its circuit breaker, open
/// after a minute of failed connection attempts and until one succeeds, seconds after the server is back) is the
/// database being unavailable, as a refused or broken connection is (PSQLError); the API answers it 503, not 500.
struct StoreErrorTests {
    @Test func thePoolsCircuitBreakerIsTheDatabaseBeingUnavailable() {
        let error = StoreError.statementFailed(ConnectionPoolError.connectionCreationCircuitBreakerTripped, while: "reading a job")
        #expect(error.code == .databaseUnavailable, "\(error)")
        #expect(error.message.hasPrefix("reading a job failed"))
    }

    @Test func anErrorFromElsewhereIsAFailedQuery() {
        struct Other: Error {}
        #expect(StoreError.statementFailed(Other(), while: "x").code == .queryFailed)
    }
}
