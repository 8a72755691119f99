import FlutterbyeStore
import Foundation
import Testing

/// The queue's record by minute laid onto a grid of whole minutes (the status page's latency chart), without I/O.
struct QueueMinuteTests {
    /// 2026-12-04 20:41:07 UTC: 7 seconds into a minute.
    let now = Date(timeIntervalSince1970: 1_796_416_867)
    var minuteUnderWay: Date { Date(timeIntervalSince1970: 1_796_416_860) }

    @Test func anEmptyRecordIsAGridOfEmptyMinutesEndingWithTheOneUnderWay() {
        let series = QueueMinute.series([], through: now, count: 60)
        #expect(series.count == 60)
        #expect(series.last?.start == minuteUnderWay)
        #expect(series.first?.start == minuteUnderWay.addingTimeInterval(-59 * 60))
        #expect(zip(series, series.dropFirst()).allSatisfy { $1.start.timeIntervalSince($0.start) == 60 })
        #expect(series.allSatisfy { $0.confirmed == 0 && $0.failed == 0 && $0.confirmationMedianSeconds == nil && $0.confirmationP95Seconds == nil })
    }

    @Test func recordedMinutesTakeTheirPlacesAndEveryOtherStaysEmpty() {
        let underWay = QueueMinute(start: minuteUnderWay, confirmed: 3, failed: 1, confirmationMedianSeconds: 2.5, confirmationP95Seconds: 9)
        let tenAgo = QueueMinute(
            start: minuteUnderWay.addingTimeInterval(-600), confirmed: 1, confirmationMedianSeconds: 4, confirmationP95Seconds: 4)
        let oldest = QueueMinute(start: minuteUnderWay.addingTimeInterval(-59 * 60), failed: 2)
        let series = QueueMinute.series([tenAgo, underWay, oldest], through: now, count: 60)
        #expect(series[59] == underWay)
        #expect(series[49] == tenAgo)
        #expect(series[0] == oldest)
        #expect(series.enumerated().filter { ![0, 49, 59].contains($0.offset) }.allSatisfy { $0.element == QueueMinute(start: $0.element.start) })
    }

    @Test func minutesOutsideTheGridAreLeftOutAndAStartInsideAMinuteCountsForIt() {
        let tooOld = QueueMinute(start: minuteUnderWay.addingTimeInterval(-60 * 60), confirmed: 5)
        // A clock ahead of the database's: a minute after the one under way.
        let ahead = QueueMinute(start: minuteUnderWay.addingTimeInterval(60), confirmed: 6)
        let midMinute = QueueMinute(start: minuteUnderWay.addingTimeInterval(-120 + 31), confirmed: 7)
        let series = QueueMinute.series([tooOld, ahead, midMinute], through: now, count: 60)
        #expect(series.map(\.confirmed).reduce(0, +) == 7)
        #expect(series[57].confirmed == 7 && series[57].start == minuteUnderWay.addingTimeInterval(-120))
    }

    @Test func aSecondRecordOfTheSameMinuteIsLeftOut() {
        let first = QueueMinute(start: minuteUnderWay, confirmed: 1)
        let second = QueueMinute(start: minuteUnderWay.addingTimeInterval(30), confirmed: 2)
        #expect(QueueMinute.series([first, second], through: now, count: 5).last == first)
    }

    @Test func theCountIsClampedAndNoClockTraps() {
        #expect(QueueMinute.series([], through: now, count: 0).count == 1)
        #expect(QueueMinute.series([], through: now, count: -5).count == 1)
        #expect(QueueMinute.series([], through: now, count: 1_000_000).count == QueueMinute.maximumCount)
        for clock in [Date(timeIntervalSince1970: 0), Date.distantFuture, Date.distantPast] {
            let series = QueueMinute.series([QueueMinute(start: clock, confirmed: 1)], through: clock, count: 60)
            #expect(series.count == 60 && series.last?.confirmed == 1, "\(clock)")
        }
        #expect(QueueMinute.minuteStart(of: Date(timeIntervalSince1970: .infinity)) == Date(timeIntervalSince1970: 0))
    }
}
