public import Foundation
public import SolanaCore

/// A JSON parser from UTF-8 bytes straight to `JSONValue`, for the large answers the indexer reads by the thousand
/// (`getTransaction` batches): several times faster than going through `JSONDecoder` and `Decodable`, whose generic
/// containers dominate a profile of the indexer. Integers stay exact (`int`, or `uint` above `Int64.max`); other
/// numbers are `double`, except whole ones (`1e3`, `0.0`), which are `int` as JSONDecoder reads them. Accepts exactly RFC 8259 JSON (one value, optional surrounding whitespace).
package struct JSONParser {
    /// Why a document is not JSON, and where.
    package struct Failure: Error, CustomStringConvertible {
        package let offset: Int
        package let reason: String
        package var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    let bytes: UnsafeBufferPointer<UInt8>
    package internal(set) var index = 0
    var depth = 0

    package init(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int = 0) {
        self.index = index
        self.bytes = bytes
    }

    /// Parses one JSON document.
    static func parse(_ data: some ContiguousBytes) throws(Failure) -> JSONValue {
        let result: Result<JSONValue, Failure> = data.withUnsafeBytes { raw in
            var parser = JSONParser(raw.bindMemory(to: UInt8.self))
            do throws(Failure) {
                parser.skipWhitespace()
                let value = try parser.value()
                parser.skipWhitespace()
                guard parser.index == parser.bytes.count else { throw parser.failure("text after the JSON value") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    func failure(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Where the run of plain string bytes from `start` ends: the first quote, backslash or control character (or
    /// the end). In a `getTransaction` answer most bytes are inside strings.
    @inline(__always) func plainEnd(from start: Int) -> Int {
        ByteScan.firstEscaped(in: bytes, from: start, quote: true)
    }

    mutating func value() throws(Failure) -> JSONValue {
        guard index < bytes.count else { throw failure("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw failure("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("unexpected end") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw failure("expected \(word)")
        }
        index += count
    }

    mutating func nest() throws(Failure) {
        depth += 1
        guard depth <= 512 else { throw failure("nested more than 512 deep") }
    }

    private mutating func object() throws(Failure) -> JSONValue {
        var members: [String: JSONValue] = [:]
        try self.members { parser, name throws(Failure) in
            let key = String(decoding: name.bytes, as: UTF8.self)
            // A member named twice is refused: which of the two counts is a guess another reader may make otherwise.
            guard members.updateValue(try parser.value(), forKey: key) == nil else { throw parser.failure("the member \"\(key)\" appears twice") }
        }
        return .object(members)
    }

    private mutating func array() throws(Failure) -> JSONValue {
        var elements: [JSONValue] = []
        try self.elements { parser throws(Failure) in elements.append(try parser.value()) }
        return .array(elements)
    }

    mutating func string() throws(Failure) -> String {
        index += 1
        let start = index
        // The common case: no escapes, so the bytes are the string.
        index = plainEnd(from: start)
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            index += 1
            return text
        }
        if index < bytes.count, bytes[index] < 0x20 { throw failure("a control character in a string") }
        var scalars = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw failure("unexpected end") }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escaped)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw failure("an unpaired surrogate")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("an unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(code) {
                        throw failure("an unpaired surrogate")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw failure("an invalid \\u escape") }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw failure("an invalid escape")
                }
            default:
                guard byte >= 0x20 else { throw failure("a control character in a string") }
                scalars.append(byte)
                index += 1
            }
        }
        throw failure("an unterminated string")
    }

    mutating func hex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("unexpected end") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("an invalid \\u escape")
            }
            code = code << 4 | digit
            index += 1
        }
        return code
    }

    mutating func number() throws(Failure) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { throw failure("expected a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { throw failure("expected a digit") }
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { throw failure("expected a digit") }
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        // As JSONDecoder reads them, a whole number written with a fraction or exponent (1e3, 0.0) is an integer: read
        // from its digits, exactly, not through a Double, which rounds past 2^53.
        if let integer = isInteger ? text : Self.wholeNumber(UnsafeBufferPointer(rebasing: bytes[start..<index])) {
            if let value = Int64(integer) { return .int(value) }
            if !negative, let value = UInt64(integer) { return .uint(value) }
        }
        // 1e400 reads as infinity, which no JSON number means.
        guard let value = Double(text), value.isFinite else { throw failure("a number out of range") }
        return .double(value)
    }

    /// The integer a well-formed number with a fraction or an exponent (`-12.50e1`) stands for, written without
    /// them (`-125`): nil when it is not whole or has more digits than any 64-bit integer.
    static func wholeNumber(_ number: UnsafeBufferPointer<UInt8>) -> String? {
        var index = 0
        let negative = number.first == UInt8(ascii: "-")
        if negative { index += 1 }
        // The significant digits, without leading zeros, and the power of ten they are scaled by.
        var digits: [UInt8] = []
        var scale = 0
        var inFraction = false
        while index < number.count {
            let byte = number[index]
            if byte == UInt8(ascii: ".") {
                inFraction = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                break
            } else {
                if !(digits.isEmpty && byte == UInt8(ascii: "0")) { digits.append(byte) }
                if inFraction { scale -= 1 }
            }
            index += 1
        }
        if index < number.count {
            index += 1
            var exponentNegative = false
            if number[index] == UInt8(ascii: "+") || number[index] == UInt8(ascii: "-") {
                exponentNegative = number[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponent = 0
            while index < number.count {
                // Past 10^400 either way no integer here fits 64 bits, whatever the digits: clamped, never overflowing.
                exponent = min(exponent * 10 + Int(number[index] - UInt8(ascii: "0")), 100_000)
                index += 1
            }
            scale += exponentNegative ? -exponent : exponent
        }
        // Leading zeros of the fraction (0.05) were dropped with the others; trailing zeros only scale.
        while digits.last == UInt8(ascii: "0"), scale < 0 {
            digits.removeLast()
            scale += 1
        }
        if digits.isEmpty { return "0" }
        guard scale >= 0, digits.count + scale <= 20 else { return nil }
        return (negative ? "-" : "") + String(decoding: digits, as: UTF8.self) + String(repeating: "0", count: scale)
    }
}

extension JSONValue {
    /// Parses a JSON document (UTF-8) with the package's fast parser.
    public static func parse(_ data: some ContiguousBytes) throws(RPCError) -> JSONValue {
        do { return try JSONParser.parse(data) } catch {
            throw RPCError(.invalidResponse, error.description)
        }
    }
}
