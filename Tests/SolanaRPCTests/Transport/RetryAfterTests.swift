import Foundation
import Testing

@testable import SolanaRPC

/// `RetryAfter`: delay-seconds and the three HTTP-date forms, clamped to 0...60 s; everything else ignored.
struct RetryAfterTests {
    /// 2015-10-21 07:28:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_445_412_480)

    @Test func readsDelaySeconds() {
        #expect(RetryAfter("0", now: Self.now)?.delay == .zero)
        #expect(RetryAfter("1", now: Self.now)?.delay == .seconds(1))
        #expect(RetryAfter("  7\t", now: Self.now)?.delay == .seconds(7))
        #expect(RetryAfter("0060", now: Self.now)?.delay == .seconds(60))
    }

    @Test func clampsLongDelaysWithoutOverflowing() {
        #expect(RetryAfter("61", now: Self.now)?.delay == .seconds(60))
        #expect(RetryAfter("86400", now: Self.now)?.delay == .seconds(60))
        #expect(RetryAfter("18446744073709551616", now: Self.now)?.delay == .seconds(60))
        #expect(RetryAfter(String(repeating: "9", count: 60), now: Self.now)?.delay == .seconds(60))
    }

    @Test(arguments: [
        "inf", "nan", "-inf", "infinity", "1e300", "1e3", "-1", "+1", "1.5", "0x10", "", "   ", "\t", "1 2", "one", "1s", "٣",
        "Wed, 21 Oct 2015 07:28:00 UTC", "Wed, 32 Oct 2015 07:28:00 GMT", "Wed, 29 Feb 2015 07:28:00 GMT",
        "Wed, 21 Oct 2015 24:00:00 GMT", "Wed, 21 Oct 15 07:28:00 GMT", "Wed, 21 Foo 2015 07:28:00 GMT",
        "Wed, 21 Oct 2015 07:28:00 GMT trailing", "Wednesday, 21-Oct-2015 07:28:00 GMT",
    ])
    func ignoresWhatIsNotARetryAfter(_ header: String) {
        #expect(RetryAfter(header, now: Self.now) == nil, "\(header.debugDescription)")
    }

    @Test func ignoresAHugeHeader() {
        #expect(RetryAfter(String(repeating: "1", count: 10 * 1024), now: Self.now) == nil)
        #expect(RetryAfter(String(repeating: " ", count: 10 * 1024) + "1", now: Self.now) == nil)
        #expect(RetryAfter(String(repeating: "x", count: 10 * 1024), now: Self.now) == nil)
    }

    @Test func readsAnIMFFixdateRelativeToNow() {
        #expect(RetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now: Self.now)?.delay == .seconds(30))
        #expect(RetryAfter(" Wed, 21 Oct 2015 07:28:01 GMT ", now: Self.now)?.delay == .seconds(1))
        // In the past: retry at once; far ahead: the maximum.
        #expect(RetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now: Self.now)?.delay == .zero)
        #expect(RetryAfter("Thu, 01 Jan 1970 00:00:00 GMT", now: Self.now)?.delay == .zero)
        #expect(RetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now: Self.now)?.delay == .seconds(60))
        #expect(RetryAfter("Thu, 22 Oct 2015 07:28:00 GMT", now: Self.now)?.delay == .seconds(60))
        #expect(RetryAfter("Mon, 29 Feb 2016 00:00:00 GMT", now: Self.now)?.delay == .seconds(60))
        // A fraction of a second before the date: the wait rounds up.
        #expect(RetryAfter("Wed, 21 Oct 2015 07:28:10 GMT", now: Self.now.addingTimeInterval(0.5))?.delay == .milliseconds(9500))
    }

    @Test func readsRFC850AndAsctimeDates() {
        #expect(RetryAfter("Wednesday, 21-Oct-15 07:28:20 GMT", now: Self.now)?.delay == .seconds(20))
        // A two-digit year more than 50 years ahead is in the past century.
        #expect(RetryAfter("Thursday, 21-Oct-99 07:28:20 GMT", now: Self.now)?.delay == .zero)
        #expect(RetryAfter("Wed Oct 21 07:28:05 2015", now: Self.now)?.delay == .seconds(5))
        #expect(RetryAfter("Wed Oct  1 07:28:05 2015", now: Self.now)?.delay == .zero)
    }

    @Test func ignoresADateWhenNowIsNotAMoment() {
        #expect(RetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now: Date(timeIntervalSince1970: .infinity)) == nil)
        #expect(RetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now: Date(timeIntervalSince1970: .nan)) == nil)
        #expect(RetryAfter("5", now: Date(timeIntervalSince1970: .nan))?.delay == .seconds(5))
    }

    @Test func agreesWithTheCalendarOnUnixSeconds() {
        #expect(HTTPDate.seconds(year: 1970, month: 1, day: 1, time: 0) == 0)
        #expect(HTTPDate.seconds(year: 2000, month: 3, day: 1, time: 0) == 951_868_800)
        #expect(HTTPDate.seconds(year: 1994, month: 11, day: 6, time: 8 * 3600 + 49 * 60 + 37) == 784_111_777)
        #expect(HTTPDate.seconds(year: 2100, month: 2, day: 29, time: 0) == nil)
    }
}
