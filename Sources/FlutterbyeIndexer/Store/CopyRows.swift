import NIOCore
import SolanaCore

/// Rows in COPY's text format, written field by field straight into a buffer: fields separated by tabs, `\N` for
/// NULL, text escaped, numbers and timestamps written digit by digit (no intermediate strings).
struct CopyRows: Sendable {
    /// The rows, in an array rather than a `ByteBuffer`: ByteBuffer's inlined writes reach its storage class, and each
    /// such access was checked for exclusivity at run time (NIO itself is built without the checks).
    private(set) var bytes: [UInt8] = []

    /// The rows, for `copyFrom`.
    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }
    private var fields = 0

    /// Appends `other`'s rows.
    mutating func append(_ other: CopyRows) {
        bytes += other.bytes
    }

    private mutating func separate() {
        if fields > 0 { bytes.append(UInt8(ascii: "\t")) }
        fields += 1
    }

    mutating func null() {
        separate()
        Self.write("\\N", into: &bytes)
    }

    /// Text, escaped (a NUL, which PostgreSQL text cannot hold, becomes U+FFFD, as in `IndexWriteStatement`).
    mutating func text(_ field: String?) {
        guard var field else { return null() }
        separate()
        let plain = field.withUTF8 { utf8 in ByteScan.firstEscaped(in: utf8, from: 0, quote: false) == utf8.count }
        if plain {
            bytes.append(contentsOf: field.utf8)
            return
        }
        for byte in field.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): Self.write("\\\\", into: &bytes)
            case UInt8(ascii: "\t"): Self.write("\\t", into: &bytes)
            case UInt8(ascii: "\n"): Self.write("\\n", into: &bytes)
            case UInt8(ascii: "\r"): Self.write("\\r", into: &bytes)
            case 0: bytes.append(contentsOf: "\u{FFFD}".utf8)
            default: bytes.append(byte)
            }
        }
    }

    mutating func number(_ value: some BinaryInteger) {
        separate()
        Self.writeDecimal(value, into: &bytes)
    }

    /// Unix seconds as a timestamptz literal in UTC (`2026-11-23 09:30:00+00`), by the civil-from-days algorithm.
    mutating func timestamp(_ unix: Int64) {
        separate()
        // Days rounded down, without `unix - 86_399`, which overflowed for a block time near Int64.min.
        let remainder = unix % 86_400
        let days = unix / 86_400 - (remainder < 0 ? 1 : 0)
        let seconds = remainder < 0 ? remainder + 86_400 : remainder
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        if year < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        let magnitude = year.magnitude
        if magnitude < 1000 { bytes.append(UInt8(ascii: "0")) }
        if magnitude < 100 { bytes.append(UInt8(ascii: "0")) }
        if magnitude < 10 { bytes.append(UInt8(ascii: "0")) }
        Self.writeDecimal(magnitude, into: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.two(month, into: &bytes)
        bytes.append(UInt8(ascii: "-"))
        Self.two(day, into: &bytes)
        bytes.append(UInt8(ascii: " "))
        Self.two(seconds / 3_600, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.two(seconds % 3_600 / 60, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        Self.two(seconds % 60, into: &bytes)
        Self.write("+00", into: &bytes)
    }

    mutating func end() {
        bytes.append(UInt8(ascii: "\n"))
        fields = 0
    }

    static func write(_ text: StaticString, into bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Two digits, zero-padded.
    static func two(_ value: Int64, into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "0") + UInt8(value / 10))
        bytes.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    /// Any integer the rows hold, Int128 sums included (39 digits at most; a magnitude past UInt64 trapped here).
    static func writeDecimal<Value: BinaryInteger>(_ value: Value, into bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { digits in
            var start = 40
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}
