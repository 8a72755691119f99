/// One read of the event log after a cursor: the events found, and how far the log was read. A reader of a few kinds
/// resumes from `readThrough`, past the events of other kinds it stepped over, instead of stepping over them again
/// at every read.
public struct EventPage: Sendable, Hashable {
    /// The events found, oldest first.
    public var events: [LoggedEvent]
    /// Every event at or before this cursor was read (or is not of the kinds asked): the last event's cursor when the
    /// page is full, else the present of the read (nothing can later appear at or before it).
    public var readThrough: EventCursor

    public init(events: [LoggedEvent], readThrough: EventCursor) {
        self.events = events
        self.readThrough = readThrough
    }
}
