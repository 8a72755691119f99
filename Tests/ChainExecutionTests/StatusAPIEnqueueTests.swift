import FlutterbyeStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `POST /v1/jobs` refuses a job whose transaction could never be sent (over Solana's 1232 bytes), naming the fields,
/// and compares idempotency keys byte for byte.
extension StatusAPITests {
    @Test func aJobWhoseTransactionCannotFitIsRefusedWith400NamingTheFields() async throws {
        try await withAPI { http, queue in
            let name = String(repeating: "n", count: 32), symbol = String(repeating: "s", count: 10)
            let uri = "https://flutterbye.example/" + String(repeating: "u", count: 173), memo = String(repeating: "m", count: 500)
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
            let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
            let headers = Self.jsonHeaders([HTTPField.Name("Idempotency-Key")!: decomposed])
            let response = try await http.execute(uri: "/v1/jobs", method: .post, headers: headers, body: Self.jobBody(composed))
            #expect(response.status == .badRequest)
            #expect(try Self.error(response).field == "idempotency_key")
            #expect(try await queue.jobs(state: nil, limit: 10, before: nil).isEmpty, "a refused request writes nothing")
            let same = try await http.execute(
                uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders([HTTPField.Name("Idempotency-Key")!: composed]), body: Self.jobBody(composed))
            #expect(same.status == .created)
        }
    }
}
