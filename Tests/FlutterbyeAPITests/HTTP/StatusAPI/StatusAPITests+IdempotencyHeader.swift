import ChainTestSupport
import FlutterbyeAPI
import FlutterbyeStore
import Foundation
import HummingbirdTesting
import NIOCore
import Testing

/// An `Idempotency-Key` header is one key, compared byte for byte: a value that is not UTF-8 text reached the queue
/// with its bad bytes replaced (U+FFFD), so `caf\xE9` and `caf\xE8` named one job and the second order was told the
/// first order's token was its own; two such headers were joined into one key ("order-a, order-b"). Both are refused,
/// and nothing is enqueued.
extension StatusAPITests {
    @Test func anIdempotencyKeyHeaderThatIsNotOneKeyOfUTF8TextIsRefused() async throws {
        try await withAPI { http, queue in
            let port = try #require(http.port)
            let body = Array(Self.jobBody(nil).readableBytesView)
            func post(keyHeaders: [UInt8]) async throws -> (status: Int, text: String) {
                let connection = try await RawHTTPConnection.open(port: port)
                let head =
                    "POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Self.token)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n"
                try await connection.send(bytes: Array(head.utf8) + keyHeaders + Array("\r\n".utf8) + body)
                let statuses = await connection.waitForAnswers(1, within: .seconds(10))
                return (statuses.first ?? 0, connection.text)
            }
            for last: UInt8 in [0xE9, 0xE8, 0xFF] {
                let answer = try await post(keyHeaders: Array("Idempotency-Key: caf".utf8) + [last] + Array("\r\n".utf8))
                #expect(answer.status == 400, "\(answer.text)")
                #expect(answer.text.contains("Idempotency-Key header is not UTF-8 text"), "\(answer.text)")
            }
            let twice = try await post(keyHeaders: Array("Idempotency-Key: order-a\r\nIdempotency-Key: order-b\r\n".utf8))
            #expect(twice.status == 400, "\(twice.text)")
            #expect(twice.text.contains("one Idempotency-Key header"), "\(twice.text)")
            #expect(try await queue.countsByState().values.reduce(0, +) == 0, "a refused request enqueued a job")

            // One header of UTF-8 text is the key, as before.
            let accepted = try await post(keyHeaders: Array("Idempotency-Key: café\r\n".utf8))
            #expect(accepted.status == 201, "\(accepted.text)")
        }
    }
}
