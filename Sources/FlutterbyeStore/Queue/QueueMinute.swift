public import Foundation

/// One minute of the queue's record: the jobs confirmed in it, with the median and 95th percentile of their
/// enqueue-to-confirmation latency, and the jobs that failed for good in it. `series(_:through:count:)` lays the
/// minutes that had something onto a grid of whole minutes ending with the one under way (the status page's chart).
public struct QueueMinute: Sendable, Hashable {
    /// The minute's first second (a whole minute since the Unix epoch).
    public var start: Date
    public var confirmed: Int
    public var failed: Int
    /// Seconds from enqueue to confirmation of the jobs confirmed in the minute; nil when none was.
    public var confirmationMedianSeconds: Double?
    public var confirmationP95Seconds: Double?

    public init(start: Date, confirmed: Int = 0, failed: Int = 0, confirmationMedianSeconds: Double? = nil, confirmationP95Seconds: Double? = nil) {
        self.start = start
        self.confirmed = confirmed
        self.failed = failed
        self.confirmationMedianSeconds = confirmationMedianSeconds
        self.confirmationP95Seconds = confirmationP95Seconds
    }

    /// The most minutes a series holds: a day.
    public static let maximumCount = 1440

    /// The start of the whole minute `date` is in.
    public static func minuteStart(of date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite else { return Date(timeIntervalSince1970: 0) }
        return Date(timeIntervalSince1970: (seconds / 60).rounded(.down) * 60)
    }

    /// `count` minutes (clamped to 1...`maximumCount`), oldest first, the last the one `now` is in: each one of
    /// `recorded` in its place (by the whole minute its start is in; a second one for the same minute is left out),
    /// every other minute empty. Minutes of `recorded` outside the grid (older, or ahead of `now`) are left out.
    public static func series(_ recorded: [QueueMinute], through now: Date, count: Int) -> [QueueMinute] {
        let count = min(max(count, 1), maximumCount)
        let last = minuteStart(of: now).timeIntervalSince1970
        let first = last - Double(count - 1) * 60
        var grid = (0..<count).map { QueueMinute(start: Date(timeIntervalSince1970: first + Double($0) * 60)) }
        var filled = Set<Int>()
        for minute in recorded {
            let start = minuteStart(of: minute.start).timeIntervalSince1970
            guard start >= first, start <= last else { continue }
            let position = Int(((start - first) / 60).rounded())
            guard filled.insert(position).inserted else { continue }
            var placed = minute
            placed.start = grid[position].start
            grid[position] = placed
        }
        return grid
    }
}
