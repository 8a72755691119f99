/// Text from outside the service (a node's error message, a simulation's logs) made safe to keep before it goes into
/// an error, a log line or a job's stored errors: bounded (a broken or hostile provider may send megabytes), and
/// without U+0000, which PostgreSQL refuses in text (U+FFFD instead, as the index stores such text).
public enum ErrorText {
    /// `text` without U+0000, or its first `limit` Unicode scalars followed by how many were cut. Counted in scalars,
    /// not characters: one character may hold any number of combining marks.
    public static func bounded(_ text: String, limit: Int) -> String {
        let limit = max(0, limit)
        let clean = text.utf8.contains(0) ? String(String.UnicodeScalarView(text.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 })) : text
        guard clean.utf8.count > limit else { return clean }
        let scalars = clean.unicodeScalars
        let total = scalars.count
        guard total > limit else { return clean }
        return "\(String(String.UnicodeScalarView(scalars.prefix(limit)))) … (\(total - limit) characters cut)"
    }
}
