import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// The event log's cursor, and the log against real PostgreSQL: numeric (xid, id) order across changes in the
/// number of digits, where a reader starts, pruning and its horizon.
@Suite("EventLog", .serialized)
struct EventLogTests {
    /// Runs `body` with a client of the test database, the schema applied, and an event log on it.
    static func withLog(_ body: (PostgresClient, EventLog) async throws -> Void) async throws {
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
            try await migrator.apply(on: client, logger: TestDatabase.logger)
            try await body(client, EventLog(client: client, logger: TestDatabase.logger))
        }
    }

    @Test func aCursorReadsBackItsTextAndRefusesAnythingElse() {
        let cursor = EventCursor(transaction: 8142, sequence: 5531)
        #expect(cursor.description == "8142-5531")
        #expect(EventCursor("8142-5531") == cursor)
        #expect(EventCursor("18446744073709551615-9223372036854775807") == EventCursor(transaction: .max, sequence: .max))
        for bad in [
            "", "8142", "8142-", "-5531", "8142-5531-1", "a-1", "1-b", "+1-2", "1--2", " 1-2", "18446744073709551616-1", "1-9223372036854775808",
        ] {
            #expect(EventCursor(bad) == nil, "\(bad)")
        }
        #expect(EventCursor(transaction: 9, sequence: 100) < EventCursor(transaction: 10, sequence: 1))
        #expect(EventCursor(transaction: 10, sequence: 1) < EventCursor(transaction: 10, sequence: 2))
    }

    @Test(.enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"))
    func eventsComeInNumericOrderAndPruningMovesTheHorizon() async throws {
        try await Self.withLog { client, log in
            // A job id no job has: the test's events are told apart by it.
            let marker = -Int64.random(in: 1...Int64.max)
            // Events of long-ended transactions (xids 3 to 100, below any a cluster hands out after initdb), inserted in
            // another order than theirs, with text orders that differ from their numeric ones.
            try await client.query(
                """
                INSERT INTO flutterbye.events (xid, kind, occurred_at, job_id, state, attempt)
                SELECT x::text::xid8, 'job_state', '2001-01-01T00:00:00Z', \(marker), 'available', x
                FROM unnest(ARRAY[100, 99, 10, 3, 9]) AS x
                """, logger: TestDatabase.logger)
            let events = try await log.events(after: .origin, kinds: [.jobState], limit: 5)
            #expect(events.map(\.cursor.transaction) == [3, 9, 10, 99, 100])
            #expect(events.allSatisfy { $0.kind == .jobState && $0.payloadJSON.contains("\"job_id\": \(marker)") })
            // The data of a job that is gone: the change, and nulls for what only the job row had.
            #expect(events[0].payloadJSON.contains("\"attempt\": 3") && events[0].payloadJSON.contains("\"idempotency_key\": null"))
            let afterNine = try await log.events(after: events[1].cursor, kinds: [.jobState], limit: 2)
            #expect(afterNine.map(\.cursor.transaction) == [10, 99])
            #expect(
                try await log.events(after: events[4].cursor, kinds: [.flbyMovement, .walletMovement], limit: 1).allSatisfy {
                    $0.cursor > events[4].cursor
                })

            // A page says how far it read: to its last event when full; else to the present, past the events of other
            // kinds, so that a stream of rare kinds does not step over them again at its next read.
            let full = try await log.page(after: .origin, kinds: [.jobState], limit: 2)
            #expect(full.events.count == 2 && full.readThrough == full.events[1].cursor)
            let presentBefore = try await log.latest()
            let rare = try await log.page(after: .origin, kinds: [.transactionDropped], limit: 1_000_000)
            #expect(rare.readThrough >= presentBefore && rare.readThrough > events[4].cursor, "\(rare.readThrough)")
            #expect(rare.events.allSatisfy { $0.kind == .transactionDropped && $0.cursor <= rare.readThrough })

            // The present is after every readable event; an event written now comes after it.
            let latest = try await log.latest()
            #expect(latest > events[4].cursor)
            try await client.query(
                "INSERT INTO flutterbye.events (kind, job_id, state, attempt) VALUES ('job_state', \(marker), 'running', 7)",
                logger: TestDatabase.logger)
            // Other suites' jobs write events meanwhile: it is readable once their transactions that began before it end
            // (in any database of the cluster: transaction ids are the cluster's). On a loaded CI machine that took more
            // than the 5 s this loop waited once; it waits up to a minute.
            var new: [LoggedEvent] = []
            for _ in 0..<1_200 where new.isEmpty {
                new = try await log.events(after: latest, kinds: [.jobState], limit: 1_000_000).filter {
                    $0.payloadJSON.contains("\"job_id\": \(marker)")
                }
                if new.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(new.count == 1)
            #expect(new[0].payloadJSON.contains("\"attempt\": 7"))
            #expect(try await log.newest().map { $0 >= new[0].cursor } == true)

            // Pruning what occurred before 2002 deletes the five old ones and moves the horizon to the newest of them.
            #expect(try await log.prune(occurredBefore: Date(timeIntervalSince1970: 1_009_843_200), limit: 2) == 2)
            #expect(try await log.prune(occurredBefore: Date(timeIntervalSince1970: 1_009_843_200)) == 3)
            #expect(try await log.horizon() == events[4].cursor)
            #expect(try await log.prune(occurredBefore: Date(timeIntervalSince1970: 1_009_843_200)) == 0)
            #expect(try await log.horizon() == events[4].cursor)
        }
    }

    /// A reader part way through the log whose next events are pruned before it reads them (a slow stream, a stream
    /// from the horizon, a long transaction's old events becoming readable) is told that its cursor expired: its read
    /// must not step over the deleted events as if they had never been.
    @Test(.enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"))
    func aReadAfterACursorThatPruningPassedIsRefusedNotShort() async throws {
        try await Self.withLog { client, log in
            let marker = -Int64.random(in: 1...Int64.max)
            let start = try await log.latest()
            // Three events of one transaction that began long ago (occurred_at is its start).
            try await client.query(
                """
                INSERT INTO flutterbye.events (kind, occurred_at, job_id, state, attempt)
                SELECT 'job_state', '2001-01-01T00:00:00Z', \(marker), 'available', x FROM generate_series(1, 3) AS x
                """, logger: TestDatabase.logger)
            var mine: [LoggedEvent] = []
            for _ in 0..<100 where mine.count < 3 {
                mine = try await log.events(after: start, kinds: [.jobState], limit: 1_000_000).filter {
                    $0.payloadJSON.contains("\"job_id\": \(marker)")
                }
                if mine.count < 3 { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(mine.count == 3)
            // The reader has received the first; the other two are pruned before its next read.
            let cursor = mine[0].cursor
            #expect(try await log.prune(occurredBefore: Date(timeIntervalSince1970: 1_009_843_200)) >= 2)
            #expect(try await log.horizon() >= mine[2].cursor)
            do {
                let page = try await log.page(after: cursor, kinds: [.jobState], limit: 1_000)
                Issue.record("a read after a pruned cursor returned \(page.events.count) event(s) without the 2 pruned ones")
            } catch let error as StoreError {
                #expect(error.code == .cursorExpired, "\(error)")
                #expect(error.message.contains("\(cursor)"), "\(error)")
            }
            // From the horizon, reading goes on.
            _ = try await log.page(after: try await log.horizon(), limit: 10)
        }
    }
}

/// A read of the event log that gets no answer (a lock held on the table here; a statement written to a connection
/// that just closed, in PostgresNIO, is never answered at all) fails as the database being unavailable once its
/// statement timeout passes: an event stream waiting on it would otherwise never end, and neither would the API's
/// graceful shutdown (a long load run's `flutterbye run` did not stop on SIGTERM).
@Suite("EventLog statement timeout", .enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"), .serialized)
struct EventLogTimeoutTests {
    @Test func aReadThatGetsNoAnswerFailsAsUnavailableAfterTheTimeout() async throws {
        try await TestDatabase.withClient { client in
            let migrator = try SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath))
            try await migrator.apply(on: client, logger: TestDatabase.logger)
            let log = EventLog(client: client, logger: TestDatabase.logger, statementTimeout: .seconds(1))
            // Another session holds the table until the read has its outcome.
            let outcome = try await TableLock.hold("flutterbye.events", on: client, logger: TestDatabase.logger) { lock in
                await lock.outcome { _ = try await log.events(after: .origin, limit: 10) }
            }
            #expect(outcome == .unavailable)
        }
    }
}
