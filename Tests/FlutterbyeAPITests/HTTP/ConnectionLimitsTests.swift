import ChainTestSupport
import FlutterbyeAPI
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The server's connection limits, met by a raw TCP client: a request that is not fully sent within the request-read
/// timeout (half its headers, half its body, or headers trickled a byte at a time) is cut off, and one sent whole is
/// not, however busy the server; a connection idle for the idle timeout is closed; a connection beyond the cap is
/// answered 503 and closed while the open ones keep working; an event stream, quiet for longer than both timeouts, is
/// not cut, but one whose client stops reading is.
extension StatusAPITests {
    static let healthRequest = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    @Test func aRequestNotSentWithinTheRequestReadTimeoutIsCutOff() async throws {
        try await withAPI(configure: { $0.connections = .init(requestReadTimeout: .seconds(1), idleTimeout: .seconds(60), maxConnections: 16) }) {
            http, _ in
            let port = try #require(http.port)
            // Half the headers, then nothing.
            let half = try await RawHTTPConnection.open(port: port)
            let started = ContinuousClock.now
            try await half.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Ag")
            #expect(await half.waitForClose(within: .seconds(20)) == .closed, "a connection with half its headers was held open")
            #expect(ContinuousClock.now - started >= .milliseconds(900), "cut off before its timeout")
            #expect(half.text.hasPrefix("HTTP/1.1 408"), "\(half.text)")

            // A job's headers whole, and 10 bytes of the 100 its Content-Length announces.
            let halfBody = try await RawHTTPConnection.open(port: port)
            try await halfBody.send(
                "POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(Self.token)\r\nContent-Type: application/json\r\n"
                    + "Idempotency-Key: half-body\r\nContent-Length: 100\r\n\r\n{\"recipien")
            #expect(await halfBody.waitForClose(within: .seconds(20)) == .closed, "a connection with half its body was held open")
            #expect(halfBody.text.hasPrefix("HTTP/1.1 408"), "\(halfBody.text)")

            // Headers trickled a byte every 100 ms: each byte is activity, but the request is not read in time.
            let trickle = try await RawHTTPConnection.open(port: port)
            let header = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + String(repeating: "s", count: 200) + "\r\n\r\n"
            var sent = 0
            for byte in header {
                guard trickle.isOpen else { break }
                try? await trickle.send(String(byte))
                sent += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(!trickle.isOpen && sent < header.count, "a trickling client kept its connection for \(sent) bytes")

            // A request sent at once is answered, and its connection stays open for the next.
            let prompt = try await RawHTTPConnection.open(port: port)
            try await prompt.send(Self.healthRequest)
            #expect(await prompt.waitForAnswers(1, within: .seconds(10)) == [200])
            try await Task.sleep(for: .seconds(2))
            try await prompt.send(Self.healthRequest)
            #expect(await prompt.waitForAnswers(2, within: .seconds(10)) == [200, 200], "a kept-alive connection was cut between requests")
        }
    }

    /// A server too busy to get a request to its route within the request-read timeout: the request was sent whole,
    /// so it is answered, not cut off with a 408 that blames the client.
    @Test func aRequestSentWholeIsAnsweredWhenTheServerIsSlowerThanTheRequestReadTimeout() async throws {
        try await withAPI(configure: { $0.connections = .init(requestReadTimeout: .milliseconds(200), idleTimeout: .seconds(60), maxConnections: 16) }
        ) {
            http, _ in
            let connection = try await RawHTTPConnection.open(port: try #require(http.port))
            await TaskPoolSaturation.hold(for: .seconds(1)) { connection.sendWithoutWaiting(Self.healthRequest) }
            #expect(await connection.waitForAnswers(1, within: .seconds(20)) == [200], "\(connection.text)")
        }
    }

    /// The same for a WebSocket upgrade request: its route decides in a task, which a busy server starts late; the
    /// request was sent whole, so the stream opens.
    @Test func anUpgradeRequestSentWholeIsAnsweredWhenTheServerIsSlowerThanTheRequestReadTimeout() async throws {
        try await withAPI(configure: { $0.connections = .init(requestReadTimeout: .milliseconds(200), idleTimeout: .seconds(60), maxConnections: 16) }
        ) {
            http, _ in
            let connection = try await RawHTTPConnection.open(port: try #require(http.port))
            let upgrade =
                "GET /v1/events?from=latest HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer \(Self.token)\r\n\r\n"
            await TaskPoolSaturation.hold(for: .seconds(1)) { connection.sendWithoutWaiting(upgrade) }
            #expect(await connection.waitForAnswers(1, within: .seconds(20)).first == 101, "\(connection.text)")
            await connection.close()
        }
    }

    @Test func anIdleConnectionIsClosedAtTheIdleTimeout() async throws {
        try await withAPI(configure: { $0.connections = .init(requestReadTimeout: .seconds(5), idleTimeout: .seconds(1), maxConnections: 16) }) {
            http, _ in
            let port = try #require(http.port)
            let silent = try await RawHTTPConnection.open(port: port)
            let answered = try await RawHTTPConnection.open(port: port)
            try await answered.send(Self.healthRequest)
            #expect(await answered.waitForAnswers(1, within: .seconds(10)) == [200])
            #expect(await silent.waitForClose(within: .seconds(20)) == .closed, "a connection that never sent a byte was held open")
            #expect(await answered.waitForClose(within: .seconds(20)) == .closed, "an idle kept-alive connection was held open")
        }
    }

    @Test func aConnectionBeyondTheCapIsRefusedWhileTheOpenOnesKeepWorking() async throws {
        try await withAPI(configure: { $0.connections = .init(requestReadTimeout: .seconds(10), idleTimeout: .seconds(60), maxConnections: 4) }) {
            http, _ in
            let port = try #require(http.port)
            var open: [RawHTTPConnection] = []
            for _ in 0..<4 {
                let connection = try await RawHTTPConnection.open(port: port)
                try await connection.send(Self.healthRequest)
                #expect(await connection.waitForAnswers(1, within: .seconds(10)) == [200])
                open.append(connection)
            }
            let extra = try await RawHTTPConnection.open(port: port)
            try? await extra.send(Self.healthRequest)
            #expect(await extra.waitForClose(within: .seconds(10)) == .closed, "a fifth connection was kept beyond the cap of 4")
            #expect(RawHTTPConnection.statuses(extra.text) == [503], "\(extra.text)")
            #expect(extra.text.contains("Retry-After:"), "\(extra.text)")
            for connection in open {
                try await connection.send(Self.healthRequest)
                #expect(await connection.waitForAnswers(2, within: .seconds(10)) == [200, 200], "an open connection stopped working")
            }
            // Once one closes, a new connection is served again.
            await open.removeLast().close()
            var served = false
            for _ in 0..<50 where !served {
                let next = try await RawHTTPConnection.open(port: port)
                try? await next.send(Self.healthRequest)
                served = await next.waitForAnswers(1, within: .seconds(5)) == [200]
                if !served { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(served, "no connection was served after one of the four closed")
        }
    }

    @Test func anEventStreamOutlivesTheIdleAndRequestReadTimeouts() async throws {
        try await withAPI(configure: { $0.connections = .init(requestReadTimeout: .seconds(1), idleTimeout: .seconds(1), maxConnections: 16) }) {
            http, queue in
            let events = EventStreamClient(port: try #require(http.port), token: Self.token)
            let subscribed = Shared(false)
            let stream = Task {
                try await events.connect(query: "from=latest", within: .seconds(60)) { messages in
                    subscribed.withLock { $0 = true }
                    return messages.contains { $0.idempotencyKey == "outlives-1" }
                }
            }
            for _ in 0..<3000 where !subscribed.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
            try #require(subscribed.withLock { $0 }, "the stream never opened")
            // Quiet for three times both timeouts (the passing time is what is tested), then an event.
            try await Task.sleep(for: .seconds(3))
            _ = try await queue.enqueue(EventStreamTests.job("outlives-1"))
            let outcome = try await stream.value
            #expect(outcome.messages.contains { $0.idempotencyKey == "outlives-1" }, "the stream was cut: \(outcome)")
        }
    }

    /// A client that opens an event stream and never reads: the server's writes to it back up and wait. Once they have
    /// waited the stalled-write timeout the connection is closed, and the stream's place (the only one here) is free.
    @Test func anEventStreamWhoseClientStopsReadingIsClosedAtTheStalledWriteTimeout() async throws {
        try await withAPI(configure: {
            $0.connections = .init(requestReadTimeout: .seconds(10), idleTimeout: .seconds(60), maxConnections: 16, stalledWriteTimeout: .seconds(1))
            $0.events = .init(pollInterval: .milliseconds(200), maxStreams: 1)
        }) { http, queue in
            let port = try #require(http.port)
            // Far more than the buffers between the server and the client hold (each message is about 300 bytes).
            let job = try await queue.enqueue(EventStreamTests.job("stalled-reader")).jobID
            try await Self.sql(
                "INSERT INTO flutterbye.events (kind, job_id, state, attempt) SELECT 'job_state', \(job), 'queued', 0 FROM generate_series(1, 40000)")
            let stalled = try await RawHTTPConnection.openWithoutReading(port: port)
            try await stalled.send(
                "GET /v1/events?from=oldest HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer \(Self.token)\r\n\r\n")
            // 426 while a stream can open, 503 while the only place is taken.
            func plainGet() async throws -> UInt {
                UInt(try await http.execute(uri: "/v1/events?from=latest", method: .get, headers: Self.auth).status.code)
            }
            var status = try await plainGet()
            for _ in 0..<200 where status != 503 {
                try await Task.sleep(for: .milliseconds(50))
                status = try await plainGet()
            }
            try #require(status == 503, "the stream of the client that does not read never opened")
            let opened = ContinuousClock.now
            while status == 503 && ContinuousClock.now - opened < .seconds(20) {
                try await Task.sleep(for: .milliseconds(100))
                status = try await plainGet()
            }
            #expect(status == 426, "the stream of a client that reads nothing kept its place for \(ContinuousClock.now - opened)")
            await stalled.close()
        }
    }
}
