import Logging
import SolanaRPC
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

    @Test func anUnreadableURLShowsNothingOfIt() {
        #expect(!RPCEndpoint(url: "ht tp://secret@@:x").description.contains("secret"))
    }

    @Test func errorsNameTheEndpointWithoutItsSecrets() async throws {
        let server = try await HostileRPCServer { _ in .http(status: 500, body: [], label: "500") }
        let client = try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: "http://user:secret@127.0.0.1:\(server.port)/secret-path?api-key=secret")],
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
