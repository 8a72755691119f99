import ChainTestSupport
import FlutterbyeAPI
import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import HummingbirdTesting
import Logging
import Testing

/// A browser's event stream: it cannot set `Authorization` on a WebSocket, so it offers the token as the subprotocol
/// `flutterbye.bearer.<base64url>` beside `flutterbye.v1`; the server answers `flutterbye.v1` only, and the token
/// reaches no log line, at any level. A token anywhere else (a plain GET's subprotocol header, the query) is refused.
extension EventStreamTests {
    /// A raw upgrade request of `GET /v1/events` with `headers` (each `Name: value`).
    static func upgrade(_ query: String, headers: [String]) -> String {
        ([
            "GET /v1/events?\(query) HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket", "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13",
        ] + headers).joined(separator: "\r\n") + "\r\n\r\n"
    }

    /// Sends `request` on a connection of its own and waits for the answer's head (and, for a 101, the first message).
    static func exchange(port: Int, _ request: String, until done: @Sendable (String) -> Bool) async throws -> String {
        let connection = try await RawHTTPConnection.open(port: port)
        defer { Task { await connection.close() } }
        try await connection.send(request)
        let deadline = ContinuousClock.now + .seconds(30)
        while !done(connection.text) && ContinuousClock.now < deadline && connection.isOpen {
            try await Task.sleep(for: .milliseconds(20))
        }
        return connection.text
    }

    @Test("a browser's token in Sec-WebSocket-Protocol opens the stream, is answered with flutterbye.v1 only and is never logged")
    func theTokenOfferedAsASubprotocolOpensTheStream() async throws {
        let captured = CapturedLog()
        var logger = Logger(label: "EventStreamTests.subprotocol") { _ in captured }
        logger.logLevel = .trace
        let database = try await TestDatabase.ownDatabase("flutterbye_events_subprotocol")
        let encoded = Base64URL.encode(Self.token)
        try await TestDatabase.withClient(database) { client in
            try await SchemaMigrator.bundled().apply(on: client, logger: logger)
            let api = StatusAPI(
                configuration: .init(apiTokens: [Self.token], cluster: StatusAPITests.cluster, events: .init(pollInterval: .milliseconds(200))),
                queue: TokenJobQueue(client: client, logger: logger), index: IndexStore(client: client, logger: logger),
                events: EventLog(client: client, logger: logger), rpc: nil, metrics: nil, readiness: [], database: database, logger: logger)
            try await api.application(host: "127.0.0.1", port: 0, logger: logger).test(.live) { http in
                let port = try #require(http.port)
                // Both subprotocols: 101, answered with flutterbye.v1 alone, then the stream's first message.
                let opened = try await Self.exchange(
                    port: port, Self.upgrade("from=latest", headers: ["Sec-WebSocket-Protocol: flutterbye.v1, flutterbye.bearer.\(encoded)"])
                ) { $0.contains("\"type\":\"subscribed\"") }
                let head = opened.components(separatedBy: "\r\n\r\n")[0].lowercased()
                #expect(head.hasPrefix("http/1.1 101"), "\(opened)")
                #expect(
                    head.contains("sec-websocket-protocol: flutterbye.v1\r\n") || head.hasSuffix("sec-websocket-protocol: flutterbye.v1"), "\(head)")
                #expect(!opened.contains(encoded) && !opened.contains(Self.token), "the answer never echoes the token")
                #expect(opened.contains("\"type\":\"subscribed\""), "\(opened)")

                // The Authorization header still works, and flutterbye.v1 is answered there too when offered.
                let header = try await Self.exchange(
                    port: port,
                    Self.upgrade("from=latest", headers: ["Authorization: Bearer \(Self.token)", "Sec-WebSocket-Protocol: flutterbye.v1"])
                ) { $0.contains("\"type\":\"subscribed\"") }
                #expect(header.lowercased().hasPrefix("http/1.1 101") && header.lowercased().contains("sec-websocket-protocol: flutterbye.v1"))

                // Refused (an upgrade that is refused is answered 400, without a reason; BearerTokenMiddlewareTests
                // has the reasons): another token, the token without flutterbye.v1, two tokens, not base64url, a token
                // in the query.
                let wrong = Data("wrong-token-0123456789abcdef".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                let refusals = [
                    ("from=latest", "flutterbye.v1, flutterbye.bearer.\(wrong)"), ("from=latest", "flutterbye.bearer.\(encoded)"),
                    ("from=latest", "flutterbye.v1, flutterbye.bearer.\(encoded), flutterbye.bearer.\(wrong)"),
                    ("from=latest", "flutterbye.v1, flutterbye.bearer.not=base64"), ("token=\(Self.token)", "flutterbye.v1"),
                ]
                for (query, offer) in refusals {
                    let refused = try await Self.exchange(port: port, Self.upgrade(query, headers: ["Sec-WebSocket-Protocol: \(offer)"])) {
                        RawHTTPConnection.statuses($0).count == 1
                    }
                    #expect(RawHTTPConnection.statuses(refused) == [400], "\(query) \(offer): \(refused)")
                    #expect(!refused.contains(encoded))
                }
                // The subprotocol counts only on an upgrade.
                let plain = try await Self.exchange(
                    port: port,
                    "GET /v1/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nSec-WebSocket-Protocol: flutterbye.v1, flutterbye.bearer.\(encoded)\r\n\r\n"
                ) { RawHTTPConnection.statuses($0).count == 1 }
                #expect(RawHTTPConnection.statuses(plain) == [401], "\(plain)")
            }
        }
        let lines = captured.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("event stream opened") }, "the log was captured: \(lines.suffix(5))")
        #expect(!lines.contains { $0.contains(Self.token) || $0.contains(encoded) }, "\(lines.filter { $0.contains(encoded) })")
    }
}
