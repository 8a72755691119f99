import FlutterbyeStore
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Asks PostgreSQL whether it answers (`SELECT 1`), over a connection of its own: while the server cannot be
/// reached, the pool's requests wait for a connection, a connection of its own fails at once (or at its connect
/// timeout). The connection is made when there is none and kept between questions; one that failed is closed, and
/// `close()` closes it for good.
final class DatabaseProbe: Sendable {
    private struct State {
        var connection: PostgresConnection?
        var closed = false
    }

    private let database: DatabaseConfiguration
    private let logger: Logger
    private let state = Mutex(State())

    init(database: DatabaseConfiguration, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// What a check found.
    enum Finding: Sendable, Equatable {
        case answers
        /// The connection was refused or broke, or the server refused the login: why (for the log; never a password).
        case unreachable(String)
        /// No answer within the time allowed: the server may be gone, or only slow.
        case silent(String)
        /// The check was cancelled before it knew.
        case unknown
    }

    /// Whether PostgreSQL answers within `limit`.
    func check(within limit: Duration) async -> Finding {
        let outcome = FirstOutcome<Void>()
        switch await outcome.run(within: limit, { try await self.ask(connectTimeout: limit) }) {
        case .finished(.success):
            return .answers
        case .finished(.failure(let error)):
            await dropConnection()
            if Task.isCancelled { return .unknown }
            return .unreachable(((error as? StoreError) ?? StoreError.statementFailed(error, while: "asking whether the database answers")).message)
        case .timedOut:
            await dropConnection()
            return .silent("no answer within \(limit)")
        case .interrupted:
            return .unknown
        }
    }

    /// Closes the connection and makes no other.
    func close() async {
        let open = state.withLock { state in
            state.closed = true
            defer { state.connection = nil }
            return state.connection
        }
        try? await open?.close()
    }

    private func dropConnection() async {
        let open = state.withLock { state in
            defer { state.connection = nil }
            return state.connection
        }
        try? await open?.close()
    }

    private func ask(connectTimeout: Duration) async throws {
        let open: PostgresConnection
        if let existing = state.withLock({ $0.connection }), !existing.isClosed {
            open = existing
        } else {
            var configuration = try database.connectionConfiguration()
            configuration.options.connectTimeout = TimeAmount(connectTimeout)
            let made = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
            // Kept unless the probe was closed meanwhile; whatever it replaces is closed.
            let (kept, replaced) = state.withLock { state -> (Bool, PostgresConnection?) in
                guard !state.closed else { return (false, nil) }
                defer { state.connection = made }
                return (true, state.connection)
            }
            try? await replaced?.close()
            guard kept else {
                try? await made.close()
                throw CancellationError()
            }
            open = made
        }
        for try await _ in try await open.query("SELECT 1", logger: logger) {}
    }
}
