import FlutterbyeStore
import Hummingbird
import HummingbirdCore

/// The query of `GET /v1/jobs` (`state`, `limit`, `cursor`), checked in the API's order with its messages: an unknown
/// parameter, a state that is not one, a limit outside 1...500, a cursor this API did not give. A plain value.
struct JobListQuery: Sendable, Hashable {
    static let names = QueryParameterNames(["state", "limit", "cursor"])
    static let defaultLimit = 50

    var state: TokenJobState?
    var limit: Int
    /// The id the page starts below (from the cursor).
    var before: Int64?

    /// The query as the client sent it (the raw query string's parameters).
    init(parameters: FlatDictionary<Substring, Substring>) throws(APIError) {
        try Self.names.check(parameters)
        try self.init(
            state: parameters["state"].map(String.init), limit: parameters["limit"].map(String.init),
            cursor: parameters["cursor"].map(String.init))
    }

    /// The query from each parameter's text, nil when absent.
    init(state: String?, limit: String?, cursor: String?) throws(APIError) {
        if let state {
            guard let known = TokenJobState(rawValue: state) else {
                throw APIError.invalid("state must be one of \(TokenJobState.allCases.map(\.rawValue).joined(separator: ", "))", field: "state")
            }
            self.state = known
        }
        self.limit = Self.defaultLimit
        if let limit {
            guard let value = Int(limit), (1...500).contains(value) else {
                throw APIError.invalid("limit must be a whole number from 1 to 500", field: "limit")
            }
            self.limit = value
        }
        if let cursor {
            guard let value = JobCursor(cursor) else {
                throw APIError.invalid("cursor is not one this API gave (pass next_cursor from the previous page)", field: "cursor")
            }
            self.before = value.before
        }
    }

    /// The query string that says the same in the plainest form (what the generated code is given to decode).
    var canonical: String {
        var items = ["limit=\(limit)"]
        if let state { items.insert("state=\(state.rawValue)", at: 0) }
        if let before { items.append("cursor=\(JobCursor(before: before).text)") }
        return items.joined(separator: "&")
    }

    /// A job id in a path: a positive whole number.
    static func jobID(_ text: Substring?) throws(APIError) -> Int64 {
        guard let text, let id = Int64(text), id > 0 else {
            throw APIError.invalid("a job id is a positive whole number", field: "id")
        }
        return id
    }
}

/// The opaque cursor of the job list: the id the next page starts below, as `j` and its decimal digits.
struct JobCursor: Sendable, Hashable {
    var before: Int64

    init(before: Int64) { self.before = before }

    init?(_ text: String) {
        guard text.first == "j", let id = Int64(text.dropFirst()), id > 0 else { return nil }
        before = id
    }

    var text: String { "j\(before)" }
}
