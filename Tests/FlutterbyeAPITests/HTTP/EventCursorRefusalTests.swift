import ChainTestSupport
import FlutterbyeAPI
import FlutterbyeStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import PostgresNIO
import Testing

/// Cursors of `GET /v1/events` that no stream can have handed out: one whose transaction has not begun, and one past
/// the last event of a transaction that has ended. Either would give a stream that never sends anything; both are
/// refused with 400. Cursors a stream did hand out still resume.
extension EventStreamTests {
    @Test("a cursor ahead of the log is refused with 400, over HTTP and as an upgrade; the cursors a stream hands out still resume")
    func aCursorAheadOfTheLogIsRefused() async throws {
        try await withEventAPI(database: "flutterbye_events_ahead") { events, client, queue, http in
            let auth: HTTPFields = [.authorization: "Bearer \(Self.token)"]
            _ = try await queue.enqueue(Self.job("ahead-1"))
            let log = EventLog(client: client, logger: Self.logger)
            // Readable once every transaction the cluster began before it has ended (other suites run beside this one).
            for _ in 0..<600 where try await log.events(after: .origin, limit: 10).isEmpty {
                try await Task.sleep(for: .milliseconds(50))
            }
            let logged = try await Self.loggedCursors(client)
            try #require(logged.count == 1)
            let first = try #require(EventCursor(logged[0]))
            var unassigned: UInt64 = 0
            for try await (text, ) in try await client.query(
                "SELECT pg_snapshot_xmax(pg_current_snapshot())::text", logger: Self.logger
            ).decode((String,).self) {
                unassigned = try #require(UInt64(text))
            }
            let ahead = [
                "18446744073709551615-0",  // the largest transaction id there is
                "\(unassigned + 1000)-0",  // a transaction no one has begun
                "\(first.transaction)-\(first.sequence + 1)",  // past the only event of a transaction that has ended
            ]
            for cursor in ahead {
                try await http.execute(uri: "/v1/events?cursor=\(cursor)", method: .get, headers: auth) { (response: TestResponse) async throws in
                    #expect(response.status == .badRequest, "\(cursor): \(String(buffer: response.body))")
                    let error = try StatusAPITests.error(response)
                    #expect(error.code == "invalid_request" && error.field == "cursor", "\(cursor)")
                    #expect(error.message.contains("ahead of the event log"), "\(cursor): \(error.message)")
                }
                await #expect(throws: WebSocketClientError.webSocketUpgradeFailed, "\(cursor)") {
                    _ = try await events.connect(query: "cursor=\(cursor)", within: .seconds(30)) { _ in true }
                }
            }

            // What a stream hands out resumes: the cursor `from=latest` starts at, an event's, `from=oldest`'s.
            let latest = try await events.connect(query: "from=latest", within: .seconds(30)) { $0.count >= 1 }
            let present = try #require(latest.messages.first?.cursor)
            let oldest = try await events.connect(query: "from=oldest", within: .seconds(30)) { $0.count >= 1 }
            let origin = try #require(oldest.messages.first?.cursor)
            _ = try await queue.enqueue(Self.job("ahead-2"))
            for cursor in [present, logged[0], origin] {
                try await http.execute(uri: "/v1/events?cursor=\(cursor)", method: .get, headers: auth) { (response: TestResponse) async throws in
                    #expect(response.status.code == 426, "\(cursor): \(String(buffer: response.body))")
                }
                let resumed = try await events.connect(query: "cursor=\(cursor)", within: .seconds(60)) { messages in
                    messages.contains { $0.idempotencyKey == "ahead-2" }
                }
                #expect(resumed.messages.first?.cursor == cursor)
                #expect(resumed.messages.contains { $0.idempotencyKey == "ahead-2" }, "resuming from \(cursor)")
            }
        }
    }
}
