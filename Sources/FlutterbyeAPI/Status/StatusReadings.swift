import FlutterbyeIndexer
import FlutterbyeStore
import SolanaRPC

/// What `GET /v1/stats` and `GET /v1/index` read from the database, each read once for every asker (a
/// `SharedReading`): a reading younger than `maxAge` is shared, and whoever asks while one is under way waits for
/// that one. Every open status page asks for both every 2 s while jobs move, and the job counts read every job kept,
/// so without sharing the database's work would grow with the number of pages and clients; with it, it is at most
/// one reading of each per `maxAge`. A failed reading is not kept: the next asker reads again.
final class StatusReadings: Sendable {
    /// What `GET /v1/stats` shows from the queue.
    struct QueueFigures: Sendable {
        var counts: [TokenJobState: Int]
        var statistics: TokenJobStatistics
        var oldestWaiting: Duration
        var minutes: [QueueMinute]
    }

    /// What `GET /v1/index` shows from the index and the event log.
    struct IndexFigures: Sendable {
        var status: IndexStatus
        var recentMovements: [LoggedEvent]
    }

    let maxAge: Duration
    private let queueFigures = SharedReading<QueueFigures>()
    private let indexFigures = SharedReading<IndexFigures>()

    init(maxAge: Duration) {
        self.maxAge = maxAge
    }

    /// The queue's figures as read at most `maxAge` ago, or by the reading under way, or by `read`.
    func queue(_ read: @escaping @Sendable () async throws -> QueueFigures) async throws -> QueueFigures {
        try await queueFigures.value(maxAge: maxAge, read: read)
    }

    /// The index's figures as read at most `maxAge` ago, or by the reading under way, or by `read`.
    func index(_ read: @escaping @Sendable () async throws -> IndexFigures) async throws -> IndexFigures {
        try await indexFigures.value(maxAge: maxAge, read: read)
    }
}
