import ChainTestSupport
import FlutterbyeAPI
import HummingbirdTesting
import Testing

/// A request the HTTP decoder cannot read is answered at once, 400 (431 for a head too large) with the API's JSON
/// error, and the connection closed: it was left open without an answer until the request-read timeout sent a 408
/// ten seconds later, so a client with a bug saw a timeout, not its mistake.
extension StatusAPITests {
    @Test func aRequestThatIsNotHTTPIsAnsweredAtOnceWithItsReason() async throws {
        try await withAPI { http, _ in
            let port = try #require(http.port)
            let hugeHeader = "X-Filler: " + String(repeating: "a", count: 100_000) + "\r\n"
            for (request, status, code) in [
                ("NOT HTTP AT ALL\r\n\r\n", 400, "malformed_request"),
                ("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: twelve\r\n\r\n", 400, "malformed_request"),
                ("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n", 400, "malformed_request"),
                ("GET /healthz HTTP/1.1\r\nHost: x\r\n" + hugeHeader + "\r\n", 431, "request_header_too_large"),
            ] {
                let connection = try await RawHTTPConnection.open(port: port)
                try await connection.send(request)
                let statuses = await connection.waitForAnswers(1, within: .seconds(5))
                #expect(statuses == [status], "\(request.prefix(60)): \(connection.text.prefix(300))")
                #expect(connection.text.contains(#""code":"\#(code)""#), "\(connection.text.prefix(300))")
                #expect(await connection.waitForClose(within: .seconds(5)) == .closed)
            }
            // A good request on a connection after a bad one's answer is a new connection's business: the server
            // still serves.
            let connection = try await RawHTTPConnection.open(port: port)
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await connection.waitForAnswers(1, within: .seconds(5)) == [200])
        }
    }
}
