public import FlutterbyeStore
public import Hummingbird

/// What a client of `GET /v1/events` asked for: where to start (after its cursor, at the oldest event kept, or from
/// now on) and which kinds of event. Read from the query, with a 400 naming the parameter for anything else.
public struct EventSubscription: Sendable, Hashable {
    /// Where the stream starts.
    public enum Start: Sendable, Hashable {
        /// After the event with this cursor (resuming).
        case after(EventCursor)
        /// At the oldest event the log keeps.
        case oldest
        /// With the events that happen from now on.
        case latest
    }

    public var start: Start
    /// Only these kinds; nil for all.
    public var kinds: Set<EventKind>?

    public init(start: Start, kinds: Set<EventKind>? = nil) {
        self.start = start
        self.kinds = kinds
    }

    static let parameters = QueryParameterNames(["cursor", "from", "kinds"])

    /// Reads `cursor`, `from` (`latest`, the default, or `oldest`) and `kinds` (comma-separated) from the query.
    public init(query: Request) throws(APIError) {
        let parameters = query.uri.queryParameters
        try Self.parameters.check(parameters)
        let cursor = parameters["cursor"].map(String.init)
        let from = parameters["from"].map(String.init)
        switch (cursor, from) {
        case (let text?, nil):
            guard let cursor = EventCursor(text) else {
                throw APIError.invalid("cursor is not one this API gave: pass the cursor of the last event you received", field: "cursor")
            }
            start = .after(cursor)
        case (_?, _?):
            throw APIError.invalid("give either cursor (to resume) or from (to start), not both", field: "from")
        case (nil, "latest"?), (nil, nil):
            start = .latest
        case (nil, "oldest"?):
            start = .oldest
        case (nil, let other?):
            throw APIError.invalid("from must be latest or oldest, not '\(other)'", field: "from")
        }
        if let text = parameters["kinds"].map(String.init) {
            var kinds: Set<EventKind> = []
            for name in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let kind = EventKind(rawValue: String(name)) else {
                    throw APIError.invalid(
                        "kinds is a comma-separated list of \(EventKind.allCases.map(\.rawValue).joined(separator: ", ")); '\(name)' is none of them",
                        field: "kinds")
                }
                kinds.insert(kind)
            }
            self.kinds = kinds
        } else {
            kinds = nil
        }
    }
}
