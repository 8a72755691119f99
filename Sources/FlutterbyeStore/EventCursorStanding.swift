/// Where a client's cursor stands against the event log now: the horizon pruning has passed, the transactions that
/// have begun (`pg_current_snapshot()`: every id below `oldestRunning` has ended, none at or above `nextUnassigned`
/// has begun) and whether the cursor's transaction has an event at or after it. `verdict` decides, without I/O,
/// whether a stream can resume there.
public struct EventCursorStanding: Sendable, Hashable {
    /// What a stream starting after a cursor would do.
    public enum Verdict: Sendable, Hashable {
        /// It resumes: every later event comes, once.
        case resumes
        /// Events after it have been pruned: the client must read the state afresh.
        case expired
        /// No stream can have handed it out: it is past the log's end, and a stream from it would wait for events
        /// that never come. `reason` says which part of it is.
        case ahead(reason: String)
    }

    public var horizon: EventCursor
    /// The oldest transaction still running (`pg_snapshot_xmin`): every one below it has ended.
    public var oldestRunning: UInt64
    /// The first transaction id not handed out yet (`pg_snapshot_xmax`).
    public var nextUnassigned: UInt64
    /// Whether the cursor's transaction has an event whose sequence number is at or past the cursor's.
    public var eventAtOrAfter: Bool

    public init(horizon: EventCursor, oldestRunning: UInt64, nextUnassigned: UInt64, eventAtOrAfter: Bool) {
        self.horizon = horizon
        self.oldestRunning = oldestRunning
        self.nextUnassigned = nextUnassigned
        self.eventAtOrAfter = eventAtOrAfter
    }

    /// The verdict on `cursor`. The cursors a stream hands out are an event's (which pruning alone removes, and then
    /// moves the horizon to or past it), the present's (`EventLog.latest()`: an ended transaction and the largest
    /// sequence number, "after all of its events") and the horizon itself; each of them resumes.
    public func verdict(on cursor: EventCursor) -> Verdict {
        if cursor < horizon { return .expired }
        if cursor.transaction >= nextUnassigned {
            return .ahead(reason: "transaction \(cursor.transaction) has not begun (the next is \(nextUnassigned))")
        }
        if cursor.transaction < oldestRunning, cursor > horizon, cursor.sequence != .max, !eventAtOrAfter {
            return .ahead(reason: "transaction \(cursor.transaction) has ended with no event numbered \(cursor.sequence) or later")
        }
        return .resumes
    }
}
