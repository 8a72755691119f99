import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

@testable import FlutterbyeStore

/// The connections a busy queue keeps leased between statements: they go back to the pool once unused, and one the
/// server closed is never lent again.
@Suite(
    "KeptConnections against PostgreSQL",
    .enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"),
    .serialized)
struct KeptConnectionsTests {
    /// What `eventually` throws when its condition did not hold in time.
    struct TestTimeout: Error, CustomStringConvertible {
        let what: String
        var description: String { "\(what) did not happen within 60 s" }
    }

    /// Waits (up to 60 s: a CI machine running every suite at once once took more than 10 s to open a connection) until
    /// `condition` holds, and stops the test when it does not.
    func eventually(_ what: String, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                throw TestTimeout(what: what)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The backend of a statement run as the queue runs its statements (within a 60 s deadline: a loaded CI machine took
    /// more than 3 s to answer it).
    func backendPID(_ database: QueueDatabase) async throws -> Int32 {
        let rows = try await database.run("SELECT pg_backend_pid() AS pid", "asking for the backend")
        return try #require(rows.first).decode(Int32.self)
    }

    /// A queue's database keeping one connection; it lingers a minute, so that a test starved of CPU for longer than
    /// the default second on a loaded machine still finds it kept.
    func database(_ client: PostgresClient) -> QueueDatabase {
        QueueDatabase(client: client, logger: TestDatabase.logger, statementTimeout: .seconds(60), keptConnections: 1, linger: .seconds(60))
    }

    @Test func aBusyQueueRunsItsStatementsOnAKeptConnection() async throws {
        try await TestDatabase.withClient { client in
            let database = database(client)
            #expect(database.kept.borrow() == nil, "nothing is kept before the first statement")
            try await eventually("keeping a connection") { database.kept.idleCount == 1 }
            let first = try await backendPID(database)
            #expect(database.kept.idleCount == 1, "the connection is kept after its statement")
            #expect(try await backendPID(database) == first)
        }
    }

    @Test func aConnectionTheServerEndedIsNotLentAgain() async throws {
        try await TestDatabase.withClient { client in
            let database = database(client)
            _ = database.kept.borrow()
            try await eventually("keeping a connection") { database.kept.idleCount == 1 }
            let pid = try await backendPID(database)
            try await client.query("SELECT pg_terminate_backend(\(pid))", logger: TestDatabase.logger)
            // The goodbye reaches the client: the kept connection is forgotten once its channel closes. A fixed 300 ms
            // was too short on a loaded CI machine (the next statement went out on the closing connection).
            try await eventually("forgetting the closed connection") { database.kept.idleCount == 0 }
            #expect(try await backendPID(database) != pid)
        }
    }

    @Test func anUnusedConnectionGoesBackToThePool() async throws {
        let url = try #require(TestDatabase.url)
        var configuration = try DatabaseConfiguration(url: url).clientConfiguration
        configuration.options.maximumConnections = 1
        let client = PostgresClient(configuration: configuration)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let kept = KeptConnections(client: client, limit: 1, linger: .milliseconds(300))
            _ = kept.borrow()
            try await eventually("keeping the pool's only connection") { kept.idleCount == 1 }
            // The pool has no other connection: this waits until the kept one goes back.
            let answered = try await withThrowingTaskGroup(of: Bool.self) { race in
                race.addTask {
                    try await client.query("SELECT 1", logger: TestDatabase.logger)
                    return true
                }
                race.addTask {
                    try await Task.sleep(for: .seconds(60))
                    return false
                }
                defer { race.cancelAll() }
                return try await race.next() ?? false
            }
            #expect(answered, "the kept connection never went back to the pool")
            #expect(kept.idleCount == 0)
        }
    }
}
