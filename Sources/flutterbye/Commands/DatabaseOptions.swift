import ArgumentParser
import FlutterbyeService
import FlutterbyeStore
import Logging
import PostgresNIO

/// Options shared by the commands that use the database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: the DATABASE_URL environment variable).")
    var databaseURL: String?

    func configuration() throws -> DatabaseConfiguration {
        guard let url = databaseURL ?? ServiceEnvironment.process.valueAsSet("DATABASE_URL"), !url.isEmpty else {
            throw CommandFailure("no database: set DATABASE_URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE) or pass --database-url")
        }
        do { return try DatabaseConfiguration(url: url) } catch { throw CommandFailure(error.message) }
    }

    /// Runs `body` with a running client, shut down afterwards; first checks that the database can be reached (a pool
    /// would keep trying until the statement's deadline, and then could not say why).
    func withClient<Result: Sendable>(_ body: @Sendable (PostgresClient) async throws -> Result) async throws -> Result {
        let configuration = try configuration()
        do { try await configuration.checkReachable(logger: Logger(label: "flutterbye.database")) } catch { throw CommandFailure(error.message) }
        let client = PostgresClient(configuration: configuration.clientConfiguration)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
