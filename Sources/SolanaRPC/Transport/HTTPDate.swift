/// The three forms of an HTTP-date (RFC 9110 section 5.6.7), read as Unix seconds.
enum HTTPDate {
    private static let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let longDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// A reader over the header's bytes: each step checks what it reads and fails (nil) on anything else.
    private struct Cursor {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func literal(_ text: String) -> Bool {
            let expected = Array(text.utf8)
            guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else { return false }
            index += expected.count
            return true
        }

        mutating func word(in words: [String]) -> Int? {
            for (position, word) in words.enumerated() where literal(word) { return position }
            return nil
        }

        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += count
            return value
        }

        /// hh:mm:ss, as seconds into the day.
        mutating func time() -> Int? {
            guard let hour = digits(2), literal(":"), let minute = digits(2), literal(":"), let second = digits(2),
                hour < 24, minute < 60, second <= 60
            else { return nil }
            return hour * 3600 + minute * 60 + second
        }
    }

    /// The date `text` names in Unix seconds, or nil when it is not an HTTP-date. `now` (Unix seconds) places an
    /// RFC 850 date's two-digit year: never more than 50 years ahead.
    static func parse(_ text: [UInt8], now: Double) -> Int64? {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        var cursor = Cursor(bytes: text)
        if cursor.word(in: days) != nil, cursor.literal(", "), let day = cursor.digits(2), cursor.literal(" "),
            let month = cursor.word(in: months), cursor.literal(" "), let year = cursor.digits(4), cursor.literal(" "),
            let time = cursor.time(), cursor.literal(" GMT"), cursor.atEnd
        {
            return seconds(year: year, month: month + 1, day: day, time: time)
        }
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        cursor = Cursor(bytes: text)
        if cursor.word(in: longDays) != nil, cursor.literal(", "), let day = cursor.digits(2), cursor.literal("-"),
            let month = cursor.word(in: months), cursor.literal("-"), let shortYear = cursor.digits(2), cursor.literal(" "),
            let time = cursor.time(), cursor.literal(" GMT"), cursor.atEnd
        {
            let currentYear = 1970 + Int(now / 31_556_952)
            var year = currentYear / 100 * 100 + shortYear
            if year > currentYear + 50 { year -= 100 }
            return seconds(year: year, month: month + 1, day: day, time: time)
        }
        // asctime: Sun Nov  6 08:49:37 1994
        cursor = Cursor(bytes: text)
        if cursor.word(in: days) != nil, cursor.literal(" "), let month = cursor.word(in: months), cursor.literal(" ") {
            let day = cursor.literal(" ") ? cursor.digits(1) : cursor.digits(2)
            if let day, cursor.literal(" "), let time = cursor.time(), cursor.literal(" "), let year = cursor.digits(4), cursor.atEnd {
                return seconds(year: year, month: month + 1, day: day, time: time)
            }
        }
        return nil
    }

    /// Unix seconds of a proleptic Gregorian date and time (days from civil, after Howard Hinnant); nil for a day
    /// the month does not have.
    static func seconds(year: Int, month: Int, day: Int, time: Int) -> Int64? {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...lengths[month - 1]).contains(day) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Int64(days) * 86_400 + Int64(time)
    }
}
