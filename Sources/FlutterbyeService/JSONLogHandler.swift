import Foundation
public import Logging

/// A swift-log handler that writes one JSON object per line to standard error (`ts`, `level`, `label`, `message`,
/// `source`, then the metadata): production's log format, for log collectors. Values are the metadata's text;
/// nothing is added that the message and metadata do not carry, so no secret gets in that the code does not log.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes the event's line. An error passed beside the message is left out, as anything the code did not log.
    public func log(event: LogEvent) {
        FileHandle.standardError.write(
            Self.line(
                date: Date(), level: event.level, label: label, message: event.message, source: event.source,
                metadata: metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })))
    }

    /// One log line: a JSON object with sorted keys, ended by a newline. The fixed fields win over metadata of the
    /// same name.
    static func line(
        date: Date, level: Logger.Level, label: String, message: Logger.Message, source: String, metadata: Logger.Metadata
    ) -> Data {
        var fields: [String: String] = [:]
        for (key, value) in metadata { fields[key] = "\(value)" }
        fields["ts"] = timestamp(date)
        fields["level"] = level.rawValue
        fields["label"] = label
        fields["message"] = message.description
        fields["source"] = source
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = (try? encoder.encode(fields)) ?? Data("{\"message\":\"unencodable log line\"}".utf8)
        line.append(UInt8(ascii: "\n"))
        return line
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
