public import Foundation
public import Logging
public import PostgresNIO

/// The event log in PostgreSQL (`flutterbye.events`), which triggers fill with job state changes and newly indexed
/// movements, in the transactions that make them: reading it in order after a cursor, where a reader starts, and
/// pruning old events. The indexer's writes signal `notificationChannel` when they add events; job state changes,
/// many a second under load, do not (`newest()` tells that the log moved).
public struct EventLog: Sendable {
    /// The NOTIFY channel the chain-event triggers signal (empty payload, delivered when the writing transaction
    /// commits); job state changes do not signal it.
    public static let notificationChannel = "flutterbye_events"

    public let client: PostgresClient
    public let logger: Logger
    /// The longest a statement may go unanswered before it is abandoned as the database being unavailable.
    public let statementTimeout: Duration
    private let deadlines = StatementDeadlines()

    /// A statement that gets no answer within `statementTimeout` fails with `databaseUnavailable` instead of waiting:
    /// PostgresNIO never answers a statement written to a connection that has just closed, and an event stream (or
    /// the API's graceful shutdown, which waits for every stream) would wait with it for ever.
    public init(client: PostgresClient, logger: Logger, statementTimeout: Duration = .seconds(10)) {
        self.client = client
        self.logger = logger
        self.statementTimeout = statementTimeout
    }

    /// The events after `cursor`, oldest first, at most `limit`; only `kinds` when given. Only events of transactions
    /// older than every transaction still running are read, so none can later appear before the last one returned.
    public func events(after cursor: EventCursor, kinds: Set<EventKind>? = nil, limit: Int) async throws(StoreError) -> [LoggedEvent] {
        try await page(after: cursor, kinds: kinds, limit: limit).events
    }

    /// `events(after:kinds:limit:)` with how far the log was read: to the last event when `limit` were found, else to
    /// the present of this read (its snapshot's oldest running transaction), taken in the same statement, so that
    /// an event a later read could find is never at or before it. Fails with `cursorExpired` when pruning has passed
    /// `cursor` (read in the same statement): the events after it that were deleted would be stepped over unseen.
    public func page(after cursor: EventCursor, kinds: Set<EventKind>? = nil, limit: Int) async throws(StoreError) -> EventPage {
        let kindNames = kinds.map { $0.map(\.rawValue).sorted() }
        let rows = try await run(
            """
            SELECT (h.present::text::numeric - 1)::text, h.expired, e.xid::text, e.id, e.kind, e.occurred_at, e.data
            FROM (
                SELECT pg_snapshot_xmin(pg_current_snapshot()) AS present,
                       EXISTS (SELECT 1 FROM flutterbye.event_log_horizon z
                               WHERE (\(String(cursor.transaction))::text::xid8, \(cursor.sequence))
                                     < (z.pruned_through_xid, z.pruned_through_id)) AS expired
            ) h
            LEFT JOIN LATERAL (
                SELECT e.xid, e.id, e.kind, e.occurred_at, flutterbye.event_data(e)::text AS data
                FROM flutterbye.events e
                WHERE (e.xid, e.id) > (\(String(cursor.transaction))::text::xid8, \(cursor.sequence))
                  AND e.xid < h.present
                  AND (\(kindNames)::text[] IS NULL OR e.kind = ANY(\(kindNames)::text[]))
                ORDER BY e.xid, e.id
                LIMIT \(limit)
            ) e ON true
            ORDER BY e.xid, e.id
            """, "reading the event log")
        var events: [LoggedEvent] = []
        var present: UInt64?
        var expired = false
        try Self.decodeEach(rows) { row in
            let (presentText, pruned, transaction, sequence, kind, occurredAt, payload) = try row.decode(
                (String, Bool, String?, Int64?, String?, Date?, String?).self)
            present = UInt64(presentText)
            expired = pruned
            // No event (the present's row alone) when none was found.
            guard let transaction, let sequence, let kind, let occurredAt, let payload else { return }
            events.append(try Self.event(transaction, sequence, kind, occurredAt, payload))
        }
        guard let present else { throw StoreError(.queryFailed, "reading the event log gave no present transaction id") }
        if expired {
            throw StoreError(.cursorExpired, "events after cursor \(cursor) have been pruned before they were read; start again from the horizon")
        }
        let last = events.last?.cursor ?? cursor
        let readThrough = events.count >= limit ? last : max(last, EventCursor(transaction: present, sequence: .max))
        return EventPage(events: events, readThrough: readThrough)
    }

    /// The newest events of `kinds` that can be read now, newest first, at most `limit`, found among the log's newest
    /// `scanning` events of any kind (so that the cost is bounded however rare those kinds are); an event whose rows
    /// are gone (its data empty) or whose transaction the chain dropped is left out. What a reader shows before its
    /// stream sends the later ones.
    public func recent(kinds: Set<EventKind>, limit: Int, scanning: Int = 10_000) async throws(StoreError) -> [LoggedEvent] {
        let kindNames = kinds.map(\.rawValue).sorted()
        let rows = try await run(
            """
            SELECT (r.e).xid::text, (r.e).id, (r.e).kind, (r.e).occurred_at, r.data::text
            FROM (
                SELECT n.e, flutterbye.event_data(n.e) AS data
                FROM (
                    SELECT e FROM flutterbye.events e
                    WHERE e.xid < pg_snapshot_xmin(pg_current_snapshot())
                    ORDER BY e.xid DESC, e.id DESC
                    LIMIT \(max(1, scanning))
                ) n
                WHERE (n.e).kind = ANY(\(kindNames)::text[])
                  AND NOT EXISTS (SELECT 1 FROM flutterbye.chain_transactions t WHERE t.signature = (n.e).signature AND t.dropped)
                ORDER BY (n.e).xid DESC, (n.e).id DESC
                LIMIT \(max(1, limit))
            ) r
            WHERE r.data <> '{}'::jsonb
            ORDER BY (r.e).xid DESC, (r.e).id DESC
            """, "reading the event log's recent events")
        return try Self.decode(rows)
    }

    /// Events from rows of `(xid, id, kind, occurred_at, data)`.
    private static func decode(_ rows: [PostgresRow]) throws(StoreError) -> [LoggedEvent] {
        var events: [LoggedEvent] = []
        events.reserveCapacity(rows.count)
        try decodeEach(rows) { row in
            let (transaction, sequence, kind, occurredAt, payload) = try row.decode((String, Int64, String, Date, String).self)
            events.append(try event(transaction, sequence, kind, occurredAt, payload))
        }
        return events
    }

    /// Runs `each` on every row; a cell that does not decode fails as a `StoreError`.
    private static func decodeEach(_ rows: [PostgresRow], _ each: (PostgresRow) throws -> Void) throws(StoreError) {
        do {
            for row in rows { try each(row) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.statementFailed(error, while: "decoding the event log")
        }
    }

    /// The event of a row's cells: its transaction id as text, its sequence, kind, time and data.
    private static func event(
        _ transaction: String, _ sequence: Int64, _ kind: String, _ occurredAt: Date, _ payload: String
    ) throws(StoreError) -> LoggedEvent {
        guard let number = UInt64(transaction), let known = EventKind(rawValue: kind) else {
            throw StoreError(.queryFailed, "the event log holds an event this version cannot read (\(kind) in transaction \(transaction))")
        }
        return LoggedEvent(cursor: .init(transaction: number, sequence: sequence), kind: known, occurredAt: occurredAt, payloadJSON: payload)
    }

    /// The cursor of the present: every event that can be read now is at or before it, every later one after it. A
    /// reader that starts from here gets only what happens from now on.
    public func latest() async throws(StoreError) -> EventCursor {
        let rows = try await run(
            "SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::numeric - 1)::text", "reading the event log's present")
        guard let row = rows.first, let text = try? row.decode(String.self), let transaction = UInt64(text) else {
            throw StoreError(.queryFailed, "reading the event log's present gave no transaction id")
        }
        return EventCursor(transaction: transaction, sequence: .max)
    }

    /// The newest event that can be read now (nil when none): a later event that becomes readable always comes after
    /// it, so a change of it is the sign that there is something new.
    public func newest() async throws(StoreError) -> EventCursor? {
        let rows = try await run(
            """
            SELECT e.xid::text, e.id FROM flutterbye.events e
            WHERE e.xid < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY e.xid DESC, e.id DESC LIMIT 1
            """, "reading the event log's newest event")
        guard let row = rows.first, let (text, sequence) = try? row.decode((String, Int64).self), let transaction = UInt64(text) else {
            return nil
        }
        return EventCursor(transaction: transaction, sequence: sequence)
    }

    /// The newest cursor pruning has passed: resuming from a cursor before it could miss deleted events.
    public func horizon() async throws(StoreError) -> EventCursor {
        let rows = try await run(
            "SELECT pruned_through_xid::text, pruned_through_id FROM flutterbye.event_log_horizon", "reading the event log's horizon")
        guard let row = rows.first, let (text, sequence) = try? row.decode((String, Int64).self), let transaction = UInt64(text) else {
            return .origin
        }
        return EventCursor(transaction: transaction, sequence: sequence)
    }

    /// Where `cursor` stands now: the horizon, the transactions that have begun and ended, and whether the cursor's
    /// transaction has an event at or after it (`EventCursorStanding.verdict` decides whether a stream can resume
    /// there). One statement.
    public func standing(of cursor: EventCursor) async throws(StoreError) -> EventCursorStanding {
        let rows = try await run(
            """
            SELECT coalesce(h.pruned_through_xid, '0')::text, coalesce(h.pruned_through_id, 0),
                   pg_snapshot_xmin(s.snapshot)::text, pg_snapshot_xmax(s.snapshot)::text,
                   EXISTS (SELECT 1 FROM flutterbye.events e
                           WHERE e.xid = \(String(cursor.transaction))::text::xid8 AND e.id >= \(cursor.sequence))
            FROM pg_current_snapshot() AS s(snapshot) LEFT JOIN flutterbye.event_log_horizon h ON true
            """, "reading where a cursor stands in the event log")
        guard let row = rows.first,
            let (horizonTransaction, horizonSequence, oldest, next, exists) = try? row.decode((String, Int64, String, String, Bool).self),
            let horizonTransaction = UInt64(horizonTransaction), let oldest = UInt64(oldest), let next = UInt64(next)
        else {
            throw StoreError(.queryFailed, "reading where a cursor stands in the event log gave no usable row")
        }
        return EventCursorStanding(
            horizon: EventCursor(transaction: horizonTransaction, sequence: horizonSequence), oldestRunning: oldest,
            nextUnassigned: next, eventAtOrAfter: exists)
    }

    /// Deletes events that occurred before `cutoff`, at most `limit` at a time, and moves the horizon past the
    /// newest deleted; returns how many were deleted. Only readable events go (none of a transaction older ones
    /// still wait for), so the horizon never passes the present.
    @discardableResult
    public func prune(occurredBefore cutoff: Date, limit: Int = 10_000) async throws(StoreError) -> Int {
        let rows = try await run(
            """
            WITH gone AS (
                DELETE FROM flutterbye.events
                WHERE (xid, id) IN (
                    SELECT xid, id FROM flutterbye.events
                    WHERE occurred_at < \(cutoff) AND xid < pg_snapshot_xmin(pg_current_snapshot())
                    LIMIT \(limit))
                RETURNING xid, id
            ), newest AS (
                SELECT xid, id FROM gone ORDER BY xid DESC, id DESC LIMIT 1
            ), moved AS (
                UPDATE flutterbye.event_log_horizon h SET pruned_through_xid = newest.xid, pruned_through_id = newest.id
                FROM newest
                WHERE (h.pruned_through_xid, h.pruned_through_id) < (newest.xid, newest.id)
                RETURNING 1
            )
            SELECT count(*) FROM gone
            """, "pruning the event log")
        return (try? rows.first?.decode(Int.self)) ?? 0
    }

    private func run(_ query: PostgresQuery, _ doing: String) async throws(StoreError) -> [PostgresRow] {
        let client = self.client
        let logger = self.logger
        do {
            return try await deadlines.run(within: statementTimeout) {
                var rows: [PostgresRow] = []
                for try await row in try await client.query(query, logger: logger) { rows.append(row) }
                return rows
            }
        } catch is StatementDeadlines.Expired {
            throw StoreError.unanswered(doing, within: statementTimeout, effect: nil, tables: "flutterbye.events")
        } catch {
            throw StoreError.statementFailed(error, while: doing)
        }
    }
}
