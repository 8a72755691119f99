import Foundation
import Testing

@testable import FlutterbyeIndexer

/// COPY rows written digit by digit, against Foundation's formatting of the same values; values from the RPC at the
/// ends of their types are written, never trapped on (a trap here took the process down, and the same transaction
/// again at every start).
struct CopyRowsTests {
    static func timestamp(_ unix: Int64) -> String {
        var rows = CopyRows()
        rows.timestamp(unix)
        return String(decoding: rows.bytes, as: UTF8.self)
    }

    @Test(arguments: [Int64(0), -1, -86_399, -86_400, -86_401, 1_700_000_000, 951_782_400, -12_219_292_800, 253_402_300_799])
    func timestampsAreFoundationsUTCDates(_ unix: Int64) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss'+00'"
        #expect(Self.timestamp(unix) == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(unix))))
    }

    @Test(arguments: [Int64.min, Int64.min + 86_398, Int64.max])
    func aBlockTimeAtTheEndsOfInt64IsWrittenWithoutATrap(_ unix: Int64) {
        #expect(!Self.timestamp(unix).isEmpty)
    }

    @Test func integersPastUInt64AreWrittenInFull() {
        var rows = CopyRows()
        let escrowGain = Int128(UInt64.max) * 2
        rows.number(escrowGain)
        rows.number(-escrowGain)
        rows.number(Int128.min)
        rows.number(UInt64.max)
        #expect(
            String(decoding: rows.bytes, as: UTF8.self)
                == "\(escrowGain)\t-\(escrowGain)\t\(Int128.min)\t18446744073709551615")
    }
}
