import FlutterbyeTestSupport
import Foundation
import HummingbirdWSClient
import Logging
public import SolanaCore
import Synchronization

/// A connection to Chromium's DevTools protocol: JSON commands with an id, each answered once with its result or
/// error, and events (a method and its parameters), over one WebSocket. Commands to a page attached in flat mode
/// carry its session id (`DevToolsPage`). Every event is kept, for a test to look at.
public final class DevToolsSession: Sendable {
    /// A command that failed, went unanswered, or a connection that ended.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private struct State {
        var nextID: Int64 = 0
        var waiting: [Int64: CheckedContinuation<JSONValue, any Error>] = [:]
        /// Each waiting command's timeout, cancelled when it is answered.
        var timeouts: [Int64: Task<Void, Never>] = [:]
        var events: [JSONValue] = []
        var ended: Failure?
    }

    private let state = Mutex(State())
    private let outbound: WebSocketOutboundWriter

    private init(outbound: WebSocketOutboundWriter) {
        self.outbound = outbound
    }

    static let logger = Logger(label: "DevToolsSession")

    /// Connects to `url` (a `ws://127.0.0.1:<port>/devtools/...` endpoint), runs `body` with the session, and closes.
    public static func connect<Value: Sendable>(
        to url: String, _ body: @escaping @Sendable (DevToolsSession) async throws -> Value
    ) async throws -> Value {
        let result = Shared<Result<Value, any Error>?>(nil)
        // Screenshots come as one large text message.
        let configuration = WebSocketClientConfiguration(maxFrameSize: 64 << 20)
        try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
            let session = DevToolsSession(outbound: outbound)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await message in inbound.messages(maxSize: 64 << 20) {
                            if case .text(let text) = message { session.receive(text) }
                        }
                        session.end(Failure(description: "the DevTools connection closed"))
                    } catch {
                        session.end(Failure(description: "the DevTools connection failed: \(error)"))
                    }
                }
                group.addTask {
                    let outcome: Result<Value, any Error>
                    do { outcome = .success(try await body(session)) } catch { outcome = .failure(error) }
                    result.withLock { $0 = outcome }
                }
                // The body ends first (or the connection does); then the reader is stopped.
                _ = try await group.next()
                group.cancelAll()
            }
        }
        guard let outcome = result.withLock({ $0 }) else { throw Failure(description: "the DevTools connection ended before the test did") }
        return try outcome.get()
    }

    /// Sends `method` with `params` (to the page `session` when given) and waits up to `limit` for its result.
    public func send(
        _ method: String, _ params: JSONValue = [:], session: String? = nil, within limit: Duration = .seconds(60)
    )
        async throws -> JSONValue
    {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        var message: [String: JSONValue] = ["id": .int(id), "method": .string(method), "params": params]
        if let session { message["sessionId"] = .string(session) }
        let text = String(decoding: try JSONEncoder().encode(JSONValue.object(message)), as: UTF8.self)
        let outbound = self.outbound
        return try await withCheckedThrowingContinuation { continuation in
            let ended: Failure? = state.withLock { state in
                if let ended = state.ended { return ended }
                state.waiting[id] = continuation
                return nil
            }
            if let ended {
                continuation.resume(throwing: ended)
                return
            }
            Task {
                do { try await outbound.write(.text(text)) } catch { self.answer(id, .failure(Failure(description: "\(method): \(error)"))) }
            }
            let timeout = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                self.answer(id, .failure(Failure(description: "\(method) got no answer within \(limit)")))
            }
            state.withLock { state in
                if state.waiting[id] != nil { state.timeouts[id] = timeout } else { timeout.cancel() }
            }
        }
    }

    /// The events received so far named `method` (of the page `session` when given), oldest first.
    public func events(named method: String, session: String? = nil) -> [JSONValue] {
        state.withLock { $0.events }.filter { event in
            event["method"] == .string(method) && (session == nil || event["sessionId"] == session.map(JSONValue.string))
        }
    }

    private func receive(_ text: String) {
        guard let message = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return }
        if let id = message["id"].flatMap(\.uint64).map(Int64.init) {
            if let error = message["error"] {
                answer(id, .failure(Failure(description: "DevTools refused a command: \(error)")))
            } else {
                answer(id, .success(message["result"] ?? .null))
            }
        } else if message["method"] != nil {
            state.withLock { $0.events.append(message) }
        }
    }

    private func answer(_ id: Int64, _ outcome: Result<JSONValue, any Error>) {
        let (continuation, timeout) = state.withLock { ($0.waiting.removeValue(forKey: id), $0.timeouts.removeValue(forKey: id)) }
        timeout?.cancel()
        continuation?.resume(with: outcome)
    }

    private func end(_ failure: Failure) {
        let waiting = state.withLock { state in
            state.ended = failure
            for timeout in state.timeouts.values { timeout.cancel() }
            defer { (state.waiting, state.timeouts) = ([:], [:]) }
            return Array(state.waiting.values)
        }
        for continuation in waiting { continuation.resume(throwing: failure) }
    }
}
