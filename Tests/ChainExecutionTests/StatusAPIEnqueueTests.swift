import FlutterbyeStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// `POST /v1/jobs` compares idempotency keys byte for byte.
extension StatusAPITests {
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
