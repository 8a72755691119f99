public import Foundation

/// An RFC 3339 timestamp (`2026-01-31T12:00:00Z`, `2024-02-29T23:59:59.250+05:30`), read strictly: every field has its
/// digits and its range, the date exists (leap years by the proleptic Gregorian calendar), and nothing surrounds it.
/// Foundation's `ISO8601DateFormatter` moves what does not exist instead (February 30 to March 2, an offset of +25:00
/// to a day and an hour), and reads years before 1582 by the Julian calendar.
public enum RFC3339Timestamp {
    /// The instant `text` names; nil when it is not such a timestamp. A leap second (`:60`) is refused: no clock here
    /// has one.
    public static func date(from text: String) -> Date? {
        var reader = Reader(Array(text.utf8))
        guard let year = reader.number(4), reader.skip("-"), let month = reader.number(2), reader.skip("-"),
            let day = reader.number(2), reader.skip("T", "t"), let hour = reader.number(2), reader.skip(":"),
            let minute = reader.number(2), reader.skip(":"), let second = reader.number(2)
        else { return nil }
        var fraction = 0.0
        if reader.skip(".") {
            var scale = 0.1
            var digits = 0
            while let digit = reader.digit() {
                fraction += Double(digit) * scale
                scale /= 10
                digits += 1
            }
            guard digits > 0 else { return nil }
        }
        var offsetMinutes = 0
        if !reader.skip("Z", "z") {
            guard let sign = reader.next(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), let offsetHour = reader.number(2),
                reader.skip(":"), let offsetMinute = reader.number(2), offsetHour <= 23, offsetMinute <= 59
            else { return nil }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (sign == UInt8(ascii: "-") ? -1 : 1)
        }
        guard reader.isAtEnd, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour <= 23, minute <= 59,
            second <= 59
        else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the date in the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// ASCII bytes read one at a time.
    struct Reader {
        let bytes: [UInt8]
        var at = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var isAtEnd: Bool { at == bytes.count }

        mutating func next() -> UInt8? {
            guard at < bytes.count else { return nil }
            defer { at += 1 }
            return bytes[at]
        }

        /// Moves past the next byte when it is one of `characters`.
        mutating func skip(_ characters: Unicode.Scalar...) -> Bool {
            guard at < bytes.count, characters.contains(where: { UInt8($0.value) == bytes[at] }) else { return false }
            at += 1
            return true
        }

        mutating func digit() -> Int? {
            guard at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) else { return nil }
            defer { at += 1 }
            return Int(bytes[at] - UInt8(ascii: "0"))
        }

        /// Exactly `count` decimal digits.
        mutating func number(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }
    }
}
