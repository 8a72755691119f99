import FlutterbyeStore
import Foundation
import Testing

@testable import FlutterbyeAPI

/// `scheduled_at` is an RFC 3339 timestamp, read strictly: a date or an offset that does not exist is refused, not moved
/// (`2026-02-30` was taken as March 2, `+25:00` as an offset of a day and an hour), and the forms RFC 3339 allows
/// (a lowercase `t` or `z`, a fraction) are read. The expected instants are Python's `datetime.fromisoformat`.
struct ScheduledAtTests {
    static func submission(_ scheduledAt: String) throws(APIError) -> CheckedTokenJobRequest {
        try JobSubmission.request(
            body: Array(
                """
                {"idempotency_key": "scheduled", "decimals": 6, "name": "Flutterbye Launch", "symbol": "FLBYL",
                 "uri": "https://flutterbye.example/launch.json", "amount": "1", "recipient": "\(JobSubmissionTests.recipient)",
                 "scheduled_at": "\(scheduledAt)"}
                """.utf8))
    }

    @Test(arguments: [
        ("2026-01-31T12:00:00Z", 1_769_860_800.0), ("2026-01-31t12:00:00z", 1_769_860_800.0),
        ("2024-02-29T23:59:59.250+05:30", 1_709_231_399.25), ("1999-12-31T23:00:00-01:00", 946_684_800.0),
        ("0001-01-01T00:00:00Z", -62_135_596_800.0),
    ])
    func anRFC3339TimestampIsTheInstantItNames(_ text: String, _ seconds: Double) throws {
        let scheduled = try #require(try Self.submission(text).request.scheduledAt)
        #expect(abs(scheduled.timeIntervalSince1970 - seconds) < 0.000_5, "\(text): \(scheduled.timeIntervalSince1970)")
    }

    @Test(arguments: [
        "2026-02-30T12:00:00Z", "2025-02-29T12:00:00Z", "2026-13-01T12:00:00Z", "2026-01-31T24:00:00Z", "2026-01-31T12:60:00Z",
        "2026-01-31T12:00:61Z", "2026-01-31T12:00:00+25:00", "2026-01-31T12:00:00+99:99", "2026-01-31T12:00:00-30:00",
        "2026-01-31T12:00:00+05:60", "2026-01-31T12:00:00", "2026-01-31 12:00:00Z", "2026-1-31T12:00:00Z", "2026-01-31T12:00:00.Z",
        "+2026-01-31T12:00:00Z", "2026-01-31T12:00:00Z ", "２０２６-01-31T12:00:00Z",
    ])
    func anythingElseIsRefusedAndNotMoved(_ text: String) {
        let refusal = #expect(throws: APIError.self) { try Self.submission(text) }
        #expect(refusal.map { "\($0)".contains("scheduled_at") } == true, "\(text): \(refusal.map { "\($0)" } ?? "accepted")")
    }
}
