public import Logging

/// Every log line written through it, at every level, with its metadata (`Logger(label:) { _ in captured }`). A value,
/// as every `LogHandler` must be: each copy of a logger sets its own metadata while others log from other threads.
public struct CapturedLog: LogHandler {
    public let lines = Shared<[String]>([])
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.withLock { $0.append("\(event.level) \(event.message) \(all)") }
    }
}
