import Foundation
import HTTPTypes
import HummingbirdWSClient
public import Logging
import NIOCore
public import SolanaCore
import Synchronization

/// A PubSub connection to a node, kept open while `run()` runs: it connects (again, with backoff, after a drop or a
/// refusal), asks for every wanted subscription on each connection, and hands each notification to its owner. The
/// owner keeps polling as the source of truth: `covered` says which subscriptions the node confirmed on the live
/// connection (none while it is down), so the owner polls those slowly and the rest as before.
public final class ChainSubscriptions: Sendable {
    public let endpoint: PubSubEndpoint
    private let logger: Logger
    private let backoff: Backoff
    private let onNotification: @Sendable (ChainNotification) -> Void
    private let onCoverage: @Sendable (Set<ChainSubscription>) -> Void

    private struct State {
        var book: SubscriptionBook
        var outgoing: AsyncStream<String>.Continuation?
        var connections = 0
    }

    private let state: Mutex<State>

    /// Subscriptions at `commitment` on `endpoint`; `onNotification` gets each notification and `onCoverage` the
    /// confirmed subscriptions whenever they change (both called on the connection's task).
    public init(
        endpoint: PubSubEndpoint, commitment: Commitment = .confirmed, backoff: Backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(30)),
        logger: Logger, onNotification: @escaping @Sendable (ChainNotification) -> Void,
        onCoverage: @escaping @Sendable (Set<ChainSubscription>) -> Void = { _ in }
    ) {
        self.endpoint = endpoint
        self.backoff = backoff
        self.logger = logger
        self.onNotification = onNotification
        self.onCoverage = onCoverage
        self.state = Mutex(State(book: SubscriptionBook(commitment: commitment)))
    }

    /// The subscriptions the node confirmed on the live connection.
    public var covered: Set<ChainSubscription> { state.withLock { $0.book.confirmed } }

    /// How many connections were opened so far.
    public var connections: Int { state.withLock { $0.connections } }

    /// Adds subscriptions (asked for at once when connected, else on the next connection).
    public func want(_ subscriptions: [ChainSubscription]) {
        send(state.withLock { state in (state.book.want(subscriptions), state.outgoing) })
    }

    /// Removes subscriptions.
    public func drop(_ subscriptions: [ChainSubscription]) {
        send(state.withLock { state in (state.book.drop(subscriptions), state.outgoing) })
    }

    private func send(_ work: (requests: [SubscriptionBook.Request], outgoing: AsyncStream<String>.Continuation?)) {
        guard let outgoing = work.outgoing else { return }
        for request in work.requests { outgoing.yield(request.text) }
    }

    /// Keeps a connection open until cancelled.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            let opened = ContinuousClock.now
            do {
                try await connectOnce()
                if Task.isCancelled { return }
                logger.warning("the PubSub connection closed; reconnecting", metadata: ["endpoint": "\(endpoint)"])
            } catch {
                // Stopping (the service shuts down) is not a failure to report.
                if Task.isCancelled { return }
                // The first failure in a row, then every tenth: a node without PubSub must not fill the log.
                logger.log(
                    level: failures == 0 || (failures + 1) % 10 == 0 ? .warning : .debug,
                    "the PubSub connection failed; polling covers everything until it is back",
                    metadata: ["endpoint": "\(endpoint)", "error": "\(Self.describe(error))"])
            }
            state.withLock { state in
                state.book.disconnected()
                state.outgoing?.finish()
                state.outgoing = nil
            }
            onCoverage([])
            // A connection that lasted starts the backoff afresh; one refused or dropped at once waits longer each time.
            failures = ContinuousClock.now - opened > .seconds(30) ? 1 : failures + 1
            do { try await Task.sleep(for: backoff.delay(retry: failures, spread: Double.random(in: 0.8...1.2))) } catch { return }
        }
    }

    private func connectOnce() async throws {
        let target = endpoint.target
        var headers = HTTPFields()
        if let authorization = target.authorization { headers[.authorization] = authorization }
        let configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 24, additionalHeaders: headers, closeTimeout: .seconds(2))
        try await WebSocketClient.connect(url: target.url, configuration: configuration, logger: logger) {
            [self] inbound, outbound, _ in
            let (outgoing, continuation) = AsyncStream<String>.makeStream()
            let initial = state.withLock { state in
                state.connections += 1
                state.outgoing = continuation
                return state.book.connected()
            }
            for request in initial { continuation.yield(request.text) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await text in outgoing { try await outbound.write(.text(text)) }
                }
                defer {
                    continuation.finish()
                    group.cancelAll()
                }
                for try await message in inbound.messages(maxSize: 1 << 24) {
                    guard case .text(let text) = message else { continue }
                    received(Array(text.utf8), continuation: continuation)
                }
            }
        }
    }

    /// Reads one message: requests it calls for go out, coverage changes and notifications go to the owner.
    private func received(_ text: [UInt8], continuation: AsyncStream<String>.Continuation) {
        let (notification, requests, coverage) = state.withLock { state in
            let before = state.book.confirmed
            let (notification, requests) = state.book.received(text)
            let after = state.book.confirmed
            return (notification, requests, before == after ? nil : after)
        }
        for request in requests { continuation.yield(request.text) }
        if let coverage { onCoverage(coverage) }
        if let notification { onNotification(notification) }
    }

    /// An error's text without the URL it may carry.
    static func describe(_ error: any Error) -> String {
        if let error = error as? WebSocketClientError { return "\(error)" }
        return String(describing: type(of: error))
    }
}
