import FlutterbyeTestSupport
import Foundation

/// A message of the event stream (`GET /v1/events`), as a test reads it: the subscription message or an event, with
/// the fields the tests look at.
public struct EventMessage: Sendable, Hashable {
    public var type: String
    public var cursor: String
    public var kind: String?
    public var kinds: [String]?
    public var state: String?
    public var previousState: String?
    public var idempotencyKey: String?
    public var amount: String?
    public var jobID: Int64?

    /// Reads one message; throws when it is not a JSON object with a type and a cursor, or an event without its kind,
    /// data and time.
    public init(_ text: String) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw TestSupportError("not a JSON object: \(text)")
        }
        guard let type = object["type"] as? String, let cursor = object["cursor"] as? String else {
            throw TestSupportError("an event stream message without a type or a cursor: \(text)")
        }
        self.type = type
        self.cursor = cursor
        kind = object["kind"] as? String
        kinds = object["kinds"] as? [String]
        let data = object["data"] as? [String: Any]
        state = data?["state"] as? String
        previousState = data?["previous_state"] as? String
        idempotencyKey = data?["idempotency_key"] as? String
        amount = data?["amount"] as? String
        jobID = (data?["job_id"] as? NSNumber)?.int64Value
        if type == "event" && (kind == nil || data == nil || !(object["occurred_at"] is String)) {
            throw TestSupportError("an event without its kind, data or occurred_at: \(text)")
        }
    }
}
