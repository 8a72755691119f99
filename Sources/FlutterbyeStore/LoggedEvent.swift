public import Foundation

/// One event of the log: where it is, what it is about, when it happened and its data (a JSON object, as text).
public struct LoggedEvent: Sendable, Hashable {
    public var cursor: EventCursor
    public var kind: EventKind
    public var occurredAt: Date
    /// The event's data: a JSON object whose members depend on the kind (docs/status-api.md, the event stream).
    public var payloadJSON: String
}
