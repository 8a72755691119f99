import FlutterbyeStore

/// How a statement that might never be answered ended: answered, refused as the database being unavailable (a
/// `StoreError` of that code), failed otherwise, or still waiting when the test stopped waiting.
public enum StatementOutcome: Equatable, Sendable, CustomStringConvertible {
    case answered
    case unavailable
    case failed(String)
    case stillWaiting(Duration)

    /// The outcome of running `work` to its end.
    public static func of(_ work: @Sendable () async throws -> Void) async -> StatementOutcome {
        do {
            try await work()
            return .answered
        } catch let error as StoreError {
            return error.code == .databaseUnavailable ? .unavailable : .failed("\(error)")
        } catch {
            return .failed("\(error)")
        }
    }

    public var description: String {
        switch self {
        case .answered: "answered"
        case .unavailable: "unavailable"
        case .failed(let error): "failed: \(error)"
        case .stillWaiting(let limit): "still waiting after \(limit)"
        }
    }
}
