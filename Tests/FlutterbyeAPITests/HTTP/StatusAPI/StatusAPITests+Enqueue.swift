import FlutterbyeAPI
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Prometheus
import SolanaCore
import SolanaRPC
import Testing

/// `POST /v1/jobs`: 201 for a new job and 200 for the same job again; 400 naming the fields for a bad request and for a
/// job whose transaction could never be sent (over Solana's 1232 bytes); idempotency keys compared byte for byte.
extension StatusAPITests {
    @Test func enqueueAnswers201ThenTheSameJobWith200() async throws {
        try await withAPI { http, queue in
            let created = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("order-1"))
            #expect(created.status == .created)
            let job = try Self.object(created)
            let id = try #require(job["id"] as? Int)
            #expect(created.headers[.location] == "/v1/jobs/\(id)")
            #expect(job["state"] as? String == "available")
            #expect(job["amount"] as? String == "1000000")
            #expect(job["idempotency_key"] as? String == "order-1")
            #expect(job["signature"] is NSNull && job["explorer_url"] is NSNull)
            #expect(job["raw_transaction"] == nil, "the signed transaction's bytes are not shown")

            // The same request again: 200 with the same job. The key may come in a header instead.
            let repeated = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("order-1"))
            #expect(repeated.status == .ok)
            #expect(try Self.object(repeated)["id"] as? Int == id)
            let byHeader = try await http.execute(
                uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders([HTTPField.Name("Idempotency-Key")!: "order-1"]), body: Self.jobBody(nil))
            #expect(byHeader.status == .ok)
            #expect(try Self.object(byHeader)["id"] as? Int == id)
            // A JSON integer amount is taken exactly, even above 2^53.
            let big = try await http.execute(
                uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("order-big", amount: "18446744073709551615"))
            #expect(big.status == .created)
            #expect(try Self.object(big)["amount"] as? String == "18446744073709551615")

            // The same key with other parameters: 409, and nothing changes.
            let conflict = try await http.execute(
                uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("order-1", amount: "\"5\""))
            #expect(conflict.status == .conflict)
            #expect(try Self.error(conflict).code == "idempotency_conflict")
            #expect(try await queue.job(id: Int64(id)).request.amount == "1000000")

            // The job reads back by id.
            try await http.execute(uri: "/v1/jobs/\(id)", method: .get, headers: Self.auth) { (response: TestResponse) async throws in
                #expect(response.status == .ok)
                #expect(try Self.object(response)["idempotency_key"] as? String == "order-1")
            }
        }
    }

    @Test func badRequestsAreRefusedWithTheirFieldsAndWriteNothing() async throws {
        try await withAPI { http, queue in
            func post(_ body: String, headers: HTTPFields = StatusAPITests.jsonHeaders()) async throws -> TestResponse {
                try await http.execute(uri: "/v1/jobs", method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            // Several bad fields: every one is named.
            let several = try await post(
                """
                {"idempotency_key": "bad-1", "token_program": "token-3000", "decimals": 12, "name": "n", "symbol": "S",
                 "uri": "u", "amount": "12.5", "recipient": "not-an-address", "colour": "red"}
                """)
            #expect(several.status == .badRequest)
            let error = try Self.error(several)
            #expect(error.code == "invalid_job")
            let fields = try #require((try Self.object(several)["error"] as? [String: Any])?["fields"] as? [[String: String]])
            #expect(Set(fields.compactMap { $0["field"] }) == ["colour", "token_program", "decimals", "amount", "recipient"])
            // A missing field, a mistyped one, no key at all, a key in header and body that differ.
            let missing = try await post(#"{"idempotency_key": "bad-2", "decimals": "six", "symbol": "S", "uri": "u", "amount": "1"}"#)
            #expect(missing.status == .badRequest)
            let missingFields = try #require((try Self.object(missing)["error"] as? [String: Any])?["fields"] as? [[String: String]])
            #expect(Set(missingFields.compactMap { $0["field"] }) == ["decimals", "name", "recipient"])
            #expect(try Self.error(try await post(String(buffer: Self.jobBody(nil)))).field == "idempotency_key")
            let differing = try await post(
                String(buffer: Self.jobBody("bad-3")), headers: Self.jsonHeaders([HTTPField.Name("Idempotency-Key")!: "bad-4"]))
            #expect(try Self.error(differing).field == "idempotency_key")
            // Not JSON, not an object, not JSON by its type.
            #expect(try Self.error(try await post("{not json")).code == "invalid_request")
            #expect(try await post("[1, 2]").status == .badRequest)
            var textHeaders = Self.auth
            textHeaders[.contentType] = "text/plain"
            #expect(try await post(String(buffer: Self.jobBody("bad-5")), headers: textHeaders).status == .unsupportedMediaType)
            // Too large a body: 413.
            let huge = String(repeating: "x", count: 100_000)
            let tooLarge = try await post(#"{"idempotency_key": "bad-6", "memo": "\#(huge)"}"#)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try Self.error(tooLarge).code == "body_too_large")
            #expect(try await queue.jobs(state: nil, limit: 10, before: nil).isEmpty, "a refused request writes nothing")
        }
    }

    @Test func aJobWhoseTransactionCannotFitIsRefusedWith400NamingTheFields() async throws {
        try await withAPI { http, queue in
            let name = String(repeating: "n", count: 32)
            let symbol = String(repeating: "s", count: 10)
            let uri = "https://flutterbye.example/" + String(repeating: "u", count: 173)
            let memo = String(repeating: "m", count: 500)
            let body = """
                {"idempotency_key": "too-large", "token_program": "token-2022", "decimals": 6, "name": "\(name)", "symbol": "\(symbol)",
                 "uri": "\(uri)", "amount": "1000", "recipient": "\(Self.recipient)", "memo": "\(memo)"}
                """
            let response = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: ByteBuffer(string: body))
            #expect(response.status == .badRequest)
            let error = try Self.error(response)
            #expect(error.code == "invalid_job")
            #expect(error.message.contains("more than Solana's limit of 1232"), "\(error.message)")
            let fields = try #require((try Self.object(response)["error"] as? [String: Any])?["fields"] as? [[String: String]])
            #expect(fields.compactMap { $0["field"] } == ["name", "symbol", "uri", "memo"])
            #expect(try await queue.jobs(state: nil, limit: 10, before: nil).isEmpty, "a refused request writes nothing")
        }
    }

    /// The key in the body and the one in the Idempotency-Key header are one key only when their bytes are: `café` with
    /// é composed (U+00E9) and decomposed (e + U+0301) are two keys, though Swift's `==` calls them equal.
    @Test func anIdempotencyKeyHeaderThatDiffersInBytesFromTheBodysKeyIsRefused() async throws {
        try await withAPI { http, queue in
            let composed = "caf\u{E9}"
            let decomposed = "cafe\u{301}"
            let headers = Self.jsonHeaders([HTTPField.Name("Idempotency-Key")!: decomposed])
            let response = try await http.execute(uri: "/v1/jobs", method: .post, headers: headers, body: Self.jobBody(composed))
            #expect(response.status == .badRequest)
            #expect(try Self.error(response).field == "idempotency_key")
            #expect(try await queue.jobs(state: nil, limit: 10, before: nil).isEmpty, "a refused request writes nothing")
            let same = try await http.execute(
                uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders([HTTPField.Name("Idempotency-Key")!: composed]),
                body: Self.jobBody(composed))
            #expect(same.status == .created)
        }
    }
}
