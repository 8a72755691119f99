import ChainTestSupport
import Foundation
import Logging
import SolanaCore
import SolanaRPC
import Synchronization
import Testing

/// PubSub against the local chain's WebSocket endpoint: notifications of mentions and signatures, and a connection
/// that comes back (subscriptions asked for again) after the node drops it and after it refused connections.
@Suite(.enabled(if: LocalChainServer.isAvailable, "needs the Python venv with solders: run Tests/run"))
struct ChainSubscriptionsTests {
    let logger = Logger(label: "ChainSubscriptionsTests")

    /// The notifications received, and a way to wait for one.
    final class Received: Sendable {
        let notifications = Mutex<[ChainNotification]>([])

        func append(_ notification: ChainNotification) { notifications.withLock { $0.append(notification) } }

        func wait(_ what: String, within limit: Duration = .seconds(20), until found: (ChainNotification) -> Bool) async throws {
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                if notifications.withLock({ $0.contains(where: found) }) { return }
                try await Task.sleep(for: .milliseconds(10))
            }
            Issue.record("no notification: \(what) (got \(notifications.withLock { $0 }))")
            throw CancellationError()
        }
    }

    func waitUntil(_ what: String, within limit: Duration = .seconds(20), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    /// The connections the chain refused so far.
    static func refusals(_ server: LocalChainServer) async throws -> Int {
        let state = try await server.controlState()
        return ((state["counters"] as? [String: Any])?["pubsub"] as? [String: Any])?["refused"] as? Int ?? 0
    }

    @Test func notificationsComeAndTheConnectionComesBackAfterADropAndARefusal() async throws {
        let server = try await LocalChainServer.start()
        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(5), logger: logger)
        let received = Received()
        let subscriptions = ChainSubscriptions(
            endpoint: try #require(PubSubEndpoint(url: server.webSocketURL.absoluteString)),
            backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(200)), logger: logger,
            onNotification: { received.append($0) })
        let address = Keypair.generate().publicKey
        subscriptions.want([.mentions(address)])
        let running = Task { await subscriptions.run() }
        defer { running.cancel() }

        func airdropIsNotified(_ what: String) async throws {
            let signature = try Signature(
                base58: try await rpc.call("requestAirdrop", [.string(address.base58), .uint(1_000_000)], as: String.self))
            try await received.wait(what) {
                if case .mentioned(address, signature, _, false) = $0 { true } else { false }
            }
        }

        try await waitUntil("the subscription") { subscriptions.covered == [.mentions(address)] }
        try await airdropIsNotified("a mention")

        _ = try await server.control(["ws_drop": true])
        try await waitUntil("a second connection with the subscription") { subscriptions.connections == 2 && !subscriptions.covered.isEmpty }
        try await airdropIsNotified("a mention after the drop")

        _ = try await server.control(["ws_refuse": true])
        _ = try await server.control(["ws_drop": true])
        try await waitUntil("the drop seen") { subscriptions.covered.isEmpty }
        // Until the client has tried again and been refused (a fixed wait was too short on a loaded CI machine).
        let deadline = ContinuousClock.now + .seconds(20)
        while try await Self.refusals(server) == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try await Self.refusals(server) >= 1, "the client tried again while connections were refused")
        #expect(subscriptions.covered.isEmpty, "refused connections cover nothing")
        _ = try await server.control(["ws_refuse": false])
        try await waitUntil("a connection once they are accepted again") { subscriptions.covered == [.mentions(address)] }
        try await airdropIsNotified("a mention after the refusals")

        let other = Keypair.generate().publicKey
        let signature = try Signature(
            base58: try await rpc.call("requestAirdrop", [.string(other.base58), .uint(1_000_000)], as: String.self))
        subscriptions.want([.signature(signature)])
        try await received.wait("the signature") {
            if case .signature(signature, _, nil) = $0 { true } else { false }
        }
        #expect(!subscriptions.covered.contains(.signature(signature)), "it ended with its notification")
        #expect(try await Self.refusals(server) >= 1)
    }
}
