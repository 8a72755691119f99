import Logging

/// Writes to `target` at debug level whatever is logged at a higher one (for messages about a single connection that
/// a client can cause at will); trace stays trace.
struct DebugOnlyLogHandler: LogHandler {
    var target: Logger
    var metadata: Logger.Metadata = [:]

    var logLevel: Logger.Level {
        get { target.logLevel }
        set { target.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        target.log(
            level: min(event.level, .debug), event.message, metadata: merged, source: event.source, file: event.file,
            function: event.function, line: event.line)
    }
}
