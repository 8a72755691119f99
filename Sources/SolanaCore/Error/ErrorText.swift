/// Text from outside the service (a node's error message, a simulation's logs) bounded before it goes into an error,
/// a log line or a job's stored errors: a broken or hostile provider may send megabytes of it.
public enum ErrorText {
    /// `text`, or its first `limit` characters followed by how many were cut.
    public static func bounded(_ text: String, limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        let total = text.count
        guard total > limit else { return text }
        return "\(text.prefix(max(0, limit))) … (\(total - max(0, limit)) characters cut)"
    }
}
