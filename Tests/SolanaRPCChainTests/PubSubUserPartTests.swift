import ChainTestSupport
import Foundation
import Logging
import SolanaCore
import SolanaRPC
import Testing

/// A PubSub URL with a user part (`SOLANA_WS_URL=wss://user:password@host/...`, or the default,
/// derived from the first SOLANA_RPC_URL, which keeps its user part: README's own example
/// `https://user:pw@rpc-b.example/v2/KEY`) connects to its host, the user part sent as basic authentication: given
/// whole to the WebSocket client (swift-websocket's URI reads the host as the text before the first ':'), the
/// connection went to a machine named after the user (a DNS lookup of a credential) and never to the node.
@Suite(.enabled(if: LocalChainServer.isAvailable, "needs the Python venv with solders: run Tests/run"))
struct PubSubUserPartTests {
    let logger = Logger(label: "PubSubUserPartTests")

    @Test func aPubSubURLWithAUserPartConnectsToItsHost() async throws {
        let server = try await LocalChainServer.start()
        var components = try #require(URLComponents(url: server.webSocketURL, resolvingAgainstBaseURL: false))
        components.user = "rpcuser"
        components.password = "s3cret"
        let url = try #require(components.string)
        let endpoint = try #require(PubSubEndpoint(url: url), "\(url) is refused")
        // Shown as scheme, host and port only: the configuration accepts it as the node's endpoint.
        #expect(endpoint.description.hasPrefix("ws://127.0.0.1:"), "\(endpoint)")
        let subscriptions = ChainSubscriptions(
            endpoint: endpoint, backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(200)), logger: logger,
            onNotification: { _ in })
        subscriptions.want([.mentions(Keypair.generate().publicKey)])
        let running = Task { await subscriptions.run() }
        defer { running.cancel() }
        let deadline = ContinuousClock.now + .seconds(20)
        while subscriptions.covered.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(
            subscriptions.connections >= 1 && !subscriptions.covered.isEmpty,
            "no PubSub connection to \(endpoint) in 20 s (connections: \(subscriptions.connections))")
    }
}
