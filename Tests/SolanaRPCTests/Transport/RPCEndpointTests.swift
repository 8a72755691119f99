import Foundation
import Logging
import SolanaRPC
import Synchronization
import Testing

/// Endpoints show scheme, host and port only: credentials in the user part, the path or the query never reach an
/// error or a log line.
struct RPCEndpointTests {
    @Test(arguments: [
        ("https://user:secret@rpc.example.com:8443/token-secret/?api-key=secret", "https://rpc.example.com:8443"),
        ("https://rpc.example.com/secret", "https://rpc.example.com"),
        ("http://127.0.0.1:8899", "http://127.0.0.1:8899"),
        ("HTTPS://Secret@RPC.example.com?api-key=secret", "https://rpc.example.com"),
    ])
    func showsSchemeHostAndPortOnly(_ url: String, _ shown: String) {
        #expect(RPCEndpoint(url: url).description == shown)
    }

    /// Every way Swift prints a value shows the description: interpolated in a list (which shows its elements'
    /// `debugDescription`), `String(reflecting:)`, `dump` (the mirror).
    @Test func everyWayOfPrintingAnEndpointShowsTheDescription() {
        let endpoint = RPCEndpoint(url: "https://user:password@rpc.example.com:8443/v2/KEY?api-key=K", requestsPerSecond: 5)
        var dumped = ""
        dump(endpoint, to: &dumped)
        for text in ["\(endpoint)", "\([endpoint])", String(reflecting: endpoint), String(describing: [endpoint]), dumped] {
            #expect(text.contains("https://rpc.example.com:8443"), "\(text)")
            for secret in ["user", "password", "KEY", "api-key"] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
    }

    /// The host and the scheme are what a policy may look at (plain http to another machine); neither is secret.
    @Test func theSchemeAndTheHostAreReadable() {
        let endpoint = RPCEndpoint(url: "HTTP://user:password@RPC.example.com:8899/v2/KEY")
        #expect(endpoint.scheme == "http" && endpoint.host == "rpc.example.com")
        #expect(RPCEndpoint(url: "http://[::1]:8899").host == "::1")
        #expect(RPCEndpoint(url: "ht tp://x").host == nil)
    }

    /// The URL's user part goes as basic authentication, as a provider expects, and the rest of the URL (path and
    /// query, which hold the other secrets) as the request's target.
    @Test func theUserPartIsSentAsBasicAuthentication() async throws {
        let seen = Mutex<[HostileRequest]>([])
        let server = try await HostileRPCServer { request in
            seen.withLock { $0.append(request) }
            return .ok(#"{"jsonrpc":"2.0","id":1,"result":42}"#)
        }
        for (url, authorization) in [
            ("http://user:p%40ss@127.0.0.1:\(server.port)/v2/KEY?api-key=K", "Basic " + Data("user:p@ss".utf8).base64EncodedString()),
            ("http://token@127.0.0.1:\(server.port)/v2/KEY?api-key=K", "Basic " + Data("token:".utf8).base64EncodedString()),
            ("http://127.0.0.1:\(server.port)/v2/KEY?api-key=K", nil),
        ] {
            // A generous timeout: what is tested is the request's headers, and a loaded CI machine took over 10 s.
            let client = try SolanaRPCClient(
                endpoints: [RPCEndpoint(url: url)], timeout: .seconds(60), retry: RPCRetryPolicy(maxAttempts: 1),
                logger: Logger(label: "RPCEndpointTests"))
            #expect(try await client.slot() == 42)
            let request = try #require(seen.withLock { $0.popLast() })
            #expect(request.path == "/v2/KEY?api-key=K")
            #expect(request.authorization == authorization, "\(url)")
        }
        try await server.close()
    }

    /// A port outside 1...65535 (a socket's port is 16 bits; 0 is none to connect to) is refused when the client is
    /// made: AsyncHTTPClient trapped on it at the first request, and on a failover endpoint only when it failed over.
    @Test(arguments: [
        "http://127.0.0.1:65536", "http://[::1]:99999", "http://127.0.0.1:0", "https://rpc.example.com:99999999999999999999/?api-key=K",
    ])
    func aPortOutsideOneTo65535IsRefused(_ url: String) {
        let endpoint = RPCEndpoint(url: url)
        #expect(!endpoint.isHTTP)
        // Never sent to: before the fix the client was made, and its first request to the endpoint trapped.
        #expect(throws: RPCError.self) {
            try SolanaRPCClient(
                endpoints: [RPCEndpoint(url: "http://127.0.0.1:8899"), endpoint], logger: Logger(label: "RPCEndpointTests"))
        }
        #expect(RPCEndpoint(url: "http://127.0.0.1:65535").isHTTP && RPCEndpoint(url: "https://rpc.example.com").isHTTP)
    }

    /// A PubSub URL is refused on the same rule (the WebSocket client connects to the port as given), and none is
    /// derived from a JSON-RPC URL whose port is refused.
    @Test(arguments: ["ws://127.0.0.1:65536", "wss://[::1]:99999/?api-key=K", "ws://127.0.0.1:0", "ws://rpc.example.com:99999999999999999999"])
    func aPubSubPortOutsideOneTo65535IsRefused(_ url: String) {
        #expect(PubSubEndpoint(url: url) == nil)
        #expect(PubSubEndpoint(derivedFrom: RPCEndpoint(url: url.replacingOccurrences(of: "ws", with: "http"))) == nil)
        #expect(PubSubEndpoint(url: "ws://127.0.0.1:65535") != nil)
    }

    @Test func anUnreadableURLShowsNothingOfIt() {
        #expect(!RPCEndpoint(url: "ht tp://secret@@:x").description.contains("secret"))
    }

    @Test func errorsNameTheEndpointWithoutItsSecrets() async throws {
        let server = try await HostileRPCServer { _ in .http(status: 500, body: [], label: "500") }
        let client = try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: "http://user:secret@127.0.0.1:\(server.port)/secret-path?api-key=secret")], timeout: .seconds(60),
            retry: RPCRetryPolicy(maxAttempts: 1), logger: Logger(label: "RPCEndpointTests"))
        do {
            _ = try await client.slot()
            Issue.record("a 500 should fail the call")
        } catch {
            #expect(error.endpoint == "http://127.0.0.1:\(server.port)")
            #expect(!error.description.contains("secret"), "\(error)")
        }
        try await server.close()
    }
}
