public import Logging
public import PostgresNIO

/// LISTENs on a PostgreSQL NOTIFY channel for as long as the calling task runs, on a connection of the pool: each
/// notification calls back; after a failure (the connection broke, the server restarted) it listens again a second
/// later. A notification lost meanwhile only delays its reader until its next poll, so readers must also poll.
public enum NotificationListener {
    /// Listens on `channel` until the task is cancelled or `whileTrue` turns false (checked between connections).
    public static func listen(
        on channel: String, client: PostgresClient, logger: Logger, while whileTrue: @Sendable () -> Bool = { true },
        onNotification: @escaping @Sendable () -> Void
    ) async {
        while !Task.isCancelled && whileTrue() {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        for try await _ in notifications { onNotification() }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("notifications interrupted; listening again", metadata: ["channel": "\(channel)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
