import FlutterbyeStore
import Foundation
import Testing

@testable import FlutterbyeAPI

/// `POST /v1/jobs`' body as `JobSubmission` reads it, without a server: amounts exactly as written, bodies that are not
/// UTF-8 or name a member twice refused, and a refusal's size bounded whatever the body.
struct JobSubmissionTests {
    static let recipient = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"

    /// A valid body with `amount` written as given (JSON text) and `extra` members appended.
    static func body(amount: String, extra: String = "") -> [UInt8] {
        Array(
            """
            {"idempotency_key": "submission-1", "decimals": 6, "name": "Flutterbye Launch", "symbol": "FLBYL",
             "uri": "https://flutterbye.example/launch.json", "amount": \(amount), "recipient": "\(recipient)"\(extra)}
            """.utf8)
    }

    /// A whole amount written with a fraction or an exponent is that amount, to the base unit: read through a Double
    /// it became the nearest Double's (123456789012345680 for 123456789012345678.0), and that supply was minted.
    @Test(arguments: [
        ("123456789012345678.0", "123456789012345678"), ("1.23456789012345678e17", "123456789012345678"),
        ("18446744073709551615.0", "18446744073709551615"), ("9007199254740993.00", "9007199254740993"), ("1e3", "1000"),
    ])
    func aWholeAmountWithAFractionOrExponentIsExact(_ written: String, _ expected: String) throws {
        let checked = try JobSubmission.request(body: Self.body(amount: written))
        #expect(checked.request.amount == expected)
    }

    @Test(arguments: ["1.5", "9007199254740991.5", "1e-3", "18446744073709551616.0", "-1.0"])
    func anAmountThatIsNotAWholeU64IsRefusedByName(_ written: String) {
        #expect {
            try JobSubmission.request(body: Self.body(amount: written))
        } throws: { error in
            (error as? APIError)?.fields.contains { $0.field == "amount" } == true
        }
    }

    /// An integer past Int64 is an integer: the refusal says it is out of range, not that it is not an integer.
    @Test func anIntegerFieldPastInt64IsOutOfRange() {
        let body = Array(
            String(decoding: Self.body(amount: "\"1\""), as: UTF8.self).replacingOccurrences(
                of: "\"decimals\": 6", with: "\"decimals\": 9223372036854775808"
            ).utf8)
        #expect {
            try JobSubmission.request(body: body)
        } throws: { error in
            guard let problem = (error as? APIError)?.fields.first(where: { $0.field == "decimals" }) else { return false }
            return problem.message.contains("out of range") && !problem.message.contains("must be an integer")
        }
    }

    /// Bytes that are not UTF-8 are refused: read with replacement characters, two keys that differ became one key
    /// (the second client was answered with the first client's job), and names and symbols were stored changed.
    @Test func aBodyThatIsNotUTF8IsRefused() throws {
        var body = Self.body(amount: "\"1\"")
        let at = try #require(body.firstRange(of: Array("submission-1".utf8)))
        body[at.upperBound - 1] = 0xFF
        #expect {
            try JobSubmission.request(body: body)
        } throws: { error in
            (error as? APIError)?.code == "invalid_request" && (error as? APIError)?.message.contains("UTF-8") == true
        }
    }

    /// A member named twice is refused: which of the two counts is a guess a proxy in front may have made otherwise.
    @Test func aMemberNamedTwiceIsRefused() {
        #expect {
            try JobSubmission.request(body: Self.body(amount: "\"1\"", extra: #", "amount": "1000000000""#))
        } throws: { error in
            (error as? APIError)?.message.contains("amount") == true
        }
    }

    /// Thousands of unknown members in a 64 KiB body: the refusal names a few and counts the rest, and says the known
    /// fields once; it repeated them for each unknown member, answering about 4 MB to a 64 KiB body.
    @Test func aRefusalStaysSmallWhateverTheBody() throws {
        var extra = ""
        for index in 0..<8000 { extra += ", \"x\(index)\": 0" }
        let body = Self.body(amount: "\"1\"", extra: extra)
        #expect(body.count < 128 * 1024)
        do {
            _ = try JobSubmission.request(body: body)
            Issue.record("8,000 unknown members were accepted")
        } catch {
            #expect(error.fields.count <= 20, "\(error.fields.count) problems")
            #expect(error.message.utf8.count <= 4096, "\(error.message.utf8.count) bytes of message")
            #expect(error.message.contains("as are 7989 more"), "\(error.message.prefix(300))")
        }
    }

    /// An integer past 64 bits is named with every other bad field: with it, the other values' rules were not checked,
    /// so a body whose decimals, priority and max_attempts were all out of range named max_attempts alone.
    @Test func anIntegerPast64BitsIsNamedWithTheOtherBadFields() throws {
        let body = Self.body(
            amount: "\"1\"",
            extra: #", "priority": -9223372036854775808, "max_attempts": 18446744073709551615"#
        ).map { $0 }
        let text = String(decoding: body, as: UTF8.self).replacingOccurrences(of: #""decimals": 6"#, with: #""decimals": 9223372036854775807"#)
        let refusal = #expect(throws: APIError.self) { try JobSubmission.request(body: Array(text.utf8)) }
        #expect(Set(refusal?.fields.map(\.field) ?? []) == ["decimals", "priority", "max_attempts"], "\(refusal?.fields ?? [])")
    }
}
