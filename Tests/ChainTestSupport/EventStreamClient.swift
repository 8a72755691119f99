import FlutterbyeTestSupport
import HTTPTypes
public import HummingbirdWSClient
import Logging

/// A WebSocket client of `GET /v1/events` on a local port, sending `token` as its bearer token unless a call names
/// another (or none).
public struct EventStreamClient: Sendable {
    public let port: Int
    public let token: String?

    public init(port: Int, token: String?) {
        self.port = port
        self.token = token
    }

    /// What one connection received, and the close frame the server sent, if it closed the connection.
    public struct Outcome: Sendable {
        public var messages: [EventMessage]
        public var close: WebSocketCloseFrame?
    }

    struct GoingAway: Error {}

    static let logger = Logger(label: "EventStreamClient")

    /// `connect(query:token:abruptly:within:until:)` with the client's token.
    public func connect(
        query: String, abruptly: Bool = false, within limit: Duration, until enough: @escaping @Sendable ([EventMessage]) -> Bool
    ) async throws -> Outcome {
        try await connect(query: query, token: token, abruptly: abruptly, within: limit, until: enough)
    }

    /// Connects with `query` and reads messages until `enough` says so (then closes, or with `abruptly` fails the
    /// connection) or until `within` has passed (then the connection is cancelled): what it got either way.
    public func connect(
        query: String, token: String?, abruptly: Bool = false, within limit: Duration,
        until enough: @escaping @Sendable ([EventMessage]) -> Bool
    ) async throws -> Outcome {
        let received = Shared<[EventMessage]>([])
        let headers: HTTPFields = token.map { [.authorization: "Bearer \($0)"] } ?? [:]
        let url = "ws://127.0.0.1:\(port)/v1/events?\(query)"
        let close: WebSocketCloseFrame? = try await withThrowingTaskGroup(of: WebSocketCloseFrame?.self) { group in
            group.addTask {
                do {
                    return try await WebSocketClient.connect(
                        url: url, configuration: .init(additionalHeaders: headers), logger: Self.logger
                    ) { inbound, _, _ in
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            guard case .text(let text) = message else { continue }
                            let parsed = try EventMessage(text)
                            if received.withLock({
                                $0.append(parsed)
                                return enough($0)
                            }) {
                                if abruptly { throw GoingAway() }
                                return
                            }
                        }
                    }
                } catch is GoingAway {
                    return nil
                }
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return Outcome(messages: received.withLock { $0 }, close: close)
    }
}
