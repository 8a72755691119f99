public import Foundation

/// The Retry-After header of a 429 or 503 answer, read as the untrusted input it is: delay-seconds (digits only) or
/// an HTTP-date, turned into a wait of at most `maximum`; anything else (inf, nan, 1e300, -1, 1.5, garbage) is no
/// Retry-After at all.
public struct RetryAfter: Sendable, Hashable, CustomStringConvertible {
    /// The longest wait a Retry-After can ask for: a longer one is cut to this.
    public static let maximum: Duration = .seconds(60)
    /// A header longer than this many bytes (surrounding whitespace included) is ignored: no delay-seconds or
    /// HTTP-date needs more.
    public static let maximumLength = 64

    /// The wait the header asks for, within 0...`maximum`.
    public let delay: Duration

    /// Reads `header` (delay-seconds, or an IMF-fixdate, RFC 850 or asctime HTTP-date, relative to `now`); nil when
    /// it is none of them.
    public init?(_ header: String, now: Date = Date()) {
        let bytes = Array(header.utf8.prefix(Self.maximumLength + 1))
        guard bytes.count <= Self.maximumLength else { return nil }
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        let text = Array(bytes[start..<end])
        guard !text.isEmpty else { return nil }
        let limit = Int64(Self.maximum.components.seconds)
        if text.allSatisfy({ (0x30...0x39).contains($0) }) {
            // Any number of digits: past the limit the value stops growing, so it never overflows.
            var seconds: Int64 = 0
            for digit in text { seconds = min(seconds * 10 + Int64(digit - 0x30), limit + 1) }
            delay = .seconds(min(seconds, limit))
            return
        }
        let reference = now.timeIntervalSince1970
        guard reference.isFinite, abs(reference) < 1e15, let date = HTTPDate.parse(text, now: reference) else { return nil }
        let wait = min(max(Double(date) - reference, 0), Double(limit))
        delay = .milliseconds(Int64((wait * 1000).rounded(.up)))
    }

    public var description: String { "\(delay)" }
}
