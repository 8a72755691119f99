import Foundation
import SolanaCore
import Testing

/// `Hex` against Foundation's `%02x` formatting and its own refusals.
@Suite struct HexTests {
    @Test func encodesAsFoundationFormatsEachByte() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Hex.encode(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
        #expect(Hex.encode([UInt8]()) == "")
    }

    @Test func decodesEitherCaseBackToTheBytes() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Hex.decode(Hex.encode(bytes)) == bytes)
        #expect(Hex.decode("DEADbeef") == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(Hex.decode("") == [])
    }

    @Test(arguments: ["a", "abc", "0g", "zz", " 00", "00 ", "0x00", "é0"])
    func refusesAnythingButAnEvenNumberOfDigits(_ text: String) {
        #expect(Hex.decode(text) == nil)
    }
}
