import Foundation
import SolanaCore
import Testing

@testable import SolanaRPC

/// The fast JSON parser (`JSONValue.parse`) against Foundation's JSONDecoder on the same documents, and its refusals.
struct JSONParserTests {
    static let documents = [
        #"{"jsonrpc":"2.0","id":7,"result":{"slot":18446744073709551615,"blockTime":-3,"meta":{"err":null,"fee":5000,"ok":true,"no":false}}}"#,
        #"[1, -1, 0, 9223372036854775807, -9223372036854775808, 9223372036854775808, 1.5, -0.25, 1e3, 2E-2, 0.0]"#,
        #"  {"text":"plain","escaped":"a\"b\\c\/d\b\f\n\r\t","unicode":"\u00e9\u4e2d\ud83d\ude00","raw":"café ✓ 😀"}  "#,
        #"{"nested":[[[]],{},{"a":[{"b":null}]}],"empty":"","spaces":" \t "}"#,
        #"["Program log: Memo (len 5): \"hello\"", "[12] text; [3] abc"]"#,
        "\"only a string\"",
        "true",
        "null",
    ]

    @Test(arguments: documents)
    func parsesLikeJSONDecoder(_ document: String) throws {
        let fast = try JSONValue.parse(Data(document.utf8))
        let reference = try JSONDecoder().decode(JSONValue.self, from: Data(document.utf8))
        #expect(fast == reference)
    }

    @Test(arguments: documents)
    func serializesWhatItParses(_ document: String) throws {
        let value = try JSONValue.parse(Data(document.utf8))
        #expect(try JSONValue.parse(value.serialized) == value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(value.serialized)) == value)
    }

    @Test func serializesControlCharactersAndNonFiniteNumbers() throws {
        let value: JSONValue = .array([.string("a\u{1}b\u{1f}\t\"\\"), .double(.infinity), .double(0.5)])
        #expect(String(decoding: value.serialized, as: UTF8.self) == #"["a\u0001b\u001f\t\"\\",null,0.5]"#)
    }

    static let malformed = [
        "", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "[01]", "[1.]", "[-]", "[1e]", "\"unterminated", "\"bad \\x escape\"",
        "\"\\ud800 lone surrogate\"", "\"tab\there\"", "[1] 2", "nul", "[true false]", "{1:2}",
    ]

    /// Numbers no Double holds: well-formed (the skipper, which checks only form, passes them), but the parser refuses
    /// them rather than reading infinity.
    @Test(arguments: ["[1e400]", "[-1e400]", "{\"a\":" + String(repeating: "9", count: 400) + "}"])
    func refusesNumbersPastADouble(_ document: String) {
        #expect(throws: RPCError.self) { try JSONValue.parse(Data(document.utf8)) }
    }

    /// A whole number written with a fraction or an exponent reads as that exact integer (Decimal, exact to 38 digits,
    /// is the reference), never as the nearest Double's: above 2^53 they differ, and an amount of base units read
    /// through a Double would be another amount. A number that is not whole stays a Double.
    @Test(arguments: [
        "123456789012345678.0", "1.23456789012345678e17", "12345678901234567800e-2", "9007199254740993.0", "-9007199254740993.0",
        "18446744073709551615.000", "1.8446744073709551615E19", "-9223372036854775808.0", "1e3", "0.0", "-0.0", "0e5", "1000e-3",
    ])
    func readsWholeNumbersWithAFractionOrExponentExactly(_ text: String) throws {
        let reference = try #require(Decimal(string: text))
        let value = try Self.only(text)
        switch value {
        case .int(let number): #expect(Decimal(number) == reference, "\(text) read as \(number)")
        case .uint(let number): #expect(Decimal(string: String(number)) == reference, "\(text) read as \(number)")
        default: Issue.record("\(text) read as \(value)")
        }
    }

    /// The one value of a document `[text]`.
    static func only(_ text: String) throws -> JSONValue {
        guard case .array(let values) = try JSONValue.parse(Data("[\(text)]".utf8)), values.count == 1 else {
            throw RPCError(.invalidResponse, "[\(text)] is not an array of one value")
        }
        return values[0]
    }

    @Test(arguments: ["9007199254740991.5", "1.5", "12345678901234567.8", "1e-1", "18446744073709551616.0", "1e20", "-9223372036854775809.0"])
    func keepsNumbersThatAreNotWholeOrPastAnIntegerAsDoubles(_ text: String) throws {
        let value = try Self.only(text)
        guard case .double(let number) = value else {
            Issue.record("\(text) read as \(value)")
            return
        }
        #expect(number == Double(text))
    }

    @Test(arguments: malformed)
    func refusesMalformedJSON(_ document: String) {
        #expect(throws: RPCError.self) { try JSONValue.parse(Data(document.utf8)) }
    }

    /// Reading in place skips what it does not read: the skipper accepts what the parser accepts and refuses what it
    /// refuses.
    @Test(arguments: documents)
    func skipsWhatItParses(_ document: String) throws {
        let bytes = Array(document.utf8)
        try bytes.withUnsafeBufferPointer { buffer in
            try JSONParser.reading(buffer) { parser throws(JSONParser.Failure) in try parser.skipValue() }
        }
    }

    @Test(arguments: malformed)
    func refusesToSkipMalformedJSON(_ document: String) {
        let bytes = Array(document.utf8)
        #expect(throws: JSONParser.Failure.self) {
            try bytes.withUnsafeBufferPointer { buffer in
                try JSONParser.reading(buffer) { parser throws(JSONParser.Failure) in try parser.skipValue() }
            }
        }
    }

    /// Strings are scanned eight bytes at a time: a quote, an escape or a control character at every position of a
    /// word (and past the last whole word), after ASCII and multi-byte UTF-8, is found where it is, by the parser,
    /// the in-place reader and the skipper.
    @Test func findsEveryStringEndAndEscapeWhereverItFalls() throws {
        for prefix in ["", "é", "✓", "😀"] {
            for length in 0..<20 {
                let plain = prefix + String(repeating: "x", count: length)
                for tail in [#""#, #"\"q"#, #"\\"#, #"\u00e9z"#, #"\n"#] {
                    let document = #"{"k\#(plain)":"\#(plain)\#(tail)","n":1}"#
                    let reference = try JSONDecoder().decode(JSONValue.self, from: Data(document.utf8))
                    #expect(try JSONValue.parse(Data(document.utf8)) == reference, "\(document)")
                    let bytes = Array(document.utf8)
                    try bytes.withUnsafeBufferPointer { buffer in
                        try JSONParser.reading(buffer) { parser throws(JSONParser.Failure) in try parser.skipValue() }
                        var read: [String] = []
                        try JSONParser.reading(buffer) { parser throws(JSONParser.Failure) in
                            try parser.members { parser, name throws(JSONParser.Failure) in
                                read.append(String(decoding: name.bytes, as: UTF8.self))
                                if read.count == 1 {
                                    read.append(try parser.readString { String(decoding: $0, as: UTF8.self) })
                                } else {
                                    try parser.skipValue()
                                }
                            }
                        }
                        #expect(read.count == 3 && read[0] == "k" + plain && .string(read[1]) == reference["k" + plain], "\(document)")
                    }
                }
                // A raw control character anywhere in a string is refused.
                for control in ["\u{0}", "\u{1f}", "\t"] {
                    let document = "[\"" + plain + control + "x\"]"
                    #expect(throws: RPCError.self, "\(document.debugDescription)") { try JSONValue.parse(Data(document.utf8)) }
                    let bytes = Array(document.utf8)
                    #expect(throws: JSONParser.Failure.self) {
                        try bytes.withUnsafeBufferPointer { buffer in
                            try JSONParser.reading(buffer) { parser throws(JSONParser.Failure) in try parser.skipValue() }
                        }
                    }
                }
            }
        }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: RPCError.self) { try JSONValue.parse(Data(deep.utf8)) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONValue.parse(Data(fine.utf8)) }
    }

    /// Foundation's JSONDecoder (the client's Decodable path) has its own depth limit: a deep document is an error,
    /// not a stack overflow.
    @Test func jsonDecoderRefusesDeepNestingToo() {
        for depth in [600, 100_000] {
            let deep = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            #expect(throws: (any Error).self) { try JSONDecoder().decode(JSONValue.self, from: Data(deep.utf8)) }
            let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
            #expect(throws: (any Error).self) { try JSONDecoder().decode(JSONValue.self, from: Data(objects.utf8)) }
            #expect(throws: RPCError.self) { try JSONValue.parse(Data(objects.utf8)) }
        }
    }
}
