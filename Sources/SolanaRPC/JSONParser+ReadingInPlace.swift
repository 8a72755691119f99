import Foundation
package import SolanaCore

/// Reading a document in place, without building `JSONValue`s: a decoder walks an object's members and an array's
/// elements and reads the values it wants straight from the bytes (the indexer reads thousands of `getTransaction`
/// answers this way), skipping the rest. Every method checks what it reads; a value of another kind throws.
extension JSONParser {
    /// An object member's name, as UTF-8 without escapes.
    package struct Name {
        package let bytes: UnsafeBufferPointer<UInt8>

        package static func == (name: Name, word: StaticString) -> Bool {
            guard name.bytes.count == word.utf8CodeUnitCount else { return false }
            for offset in 0..<name.bytes.count where name.bytes[offset] != word.utf8Start[offset] { return false }
            return true
        }
    }

    /// Reads a whole document with `body`, which must read exactly one value; only whitespace may follow it.
    package static func reading<Result>(
        _ bytes: UnsafeBufferPointer<UInt8>, _ body: (inout JSONParser) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let result = try body(&parser)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.failure("text after the JSON value") }
        return result
    }

    /// Calls `body` for each member of the object that comes next, with the reader at the member's value; `body`
    /// must read or skip that value.
    package mutating func members(_ body: (inout JSONParser, Name) throws(Failure) -> Void) throws(Failure) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw failure("expected an object") }
        try nest()
        index += 1
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a member name") }
            let start = index + 1
            let end = plainEnd(from: start)
            var unescaped: [UInt8]?
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                index = end + 1
            } else {
                unescaped = Array(try string().utf8)
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
            index += 1
            skipWhitespace()
            if let unescaped {
                let result: Swift.Result<Void, Failure> = unescaped.withUnsafeBufferPointer { name in
                    do throws(Failure) { return .success(try body(&self, Name(bytes: name))) } catch { return .failure(error) }
                }
                try result.get()
            } else {
                try body(&self, Name(bytes: UnsafeBufferPointer(rebasing: bytes[start..<end])))
            }
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return
            } else {
                throw failure("expected ',' or '}'")
            }
        }
    }

    /// Calls `body` for each element of the array that comes next, with the reader at the element.
    package mutating func elements(_ body: (inout JSONParser) throws(Failure) -> Void) throws(Failure) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { throw failure("expected an array") }
        try nest()
        index += 1
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return
            } else {
                throw failure("expected ',' or ']'")
            }
        }
    }

    /// Where the reader is, for `rewind`.
    struct Position {
        fileprivate let index: Int
        fileprivate let depth: Int
    }

    var position: Position { Position(index: index, depth: depth) }

    /// Moves back to `position`, where this reader was before (to skip a value a decoder gave up on).
    mutating func rewind(to position: Position) {
        precondition(position.index <= index, "JSONParser only rewinds")
        index = position.index
        depth = position.depth
    }

    /// Reads `null` if it comes next (true), else reads nothing (false).
    package mutating func readNull() throws(Failure) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    /// Reads a string.
    package mutating func readString() throws(Failure) -> String {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string") }
        return try string()
    }

    /// Reads a string and calls `body` with its UTF-8 bytes (in place when it has no escapes).
    package mutating func readString<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result) throws(Failure) -> Result {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string") }
        let start = index + 1
        let end = plainEnd(from: start)
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            index = end + 1
            return try body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
        var text = try string()
        let result: Swift.Result<Result, Failure> = text.withUTF8 { utf8 in
            do throws(Failure) { return .success(try body(utf8)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Reads a non-negative integer that fits in a u64 (written without fraction or exponent).
    package mutating func readUInt64() throws(Failure) -> UInt64 {
        skipWhitespace()
        let start = index
        var value: UInt64 = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
            guard !overflow, !carry else { throw failure("an integer above 2^64 - 1") }
            value = sum
            index += 1
        }
        guard index > start else { throw failure("expected an unsigned integer") }
        guard index - start == 1 || bytes[start] != UInt8(ascii: "0") else { throw failure("a number with a leading zero") }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw failure("expected an integer")
        }
        return value
    }

    /// Reads an integer that fits in an i64 (written without fraction or exponent).
    package mutating func readInt64() throws(Failure) -> Int64 {
        skipWhitespace()
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let magnitude = try readUInt64()
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw failure("an integer below -2^63") }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw failure("an integer above 2^63 - 1") }
        return Int64(magnitude)
    }

    /// Reads any value as a `JSONValue`.
    package mutating func readValue() throws(Failure) -> JSONValue {
        skipWhitespace()
        return try value()
    }

    /// Skips a string, checking its escapes, without making it.
    private mutating func skipString() throws(Failure) {
        index += 1
        while index < bytes.count {
            index = plainEnd(from: index)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return
            }
            guard byte >= 0x20 else { throw failure("a control character in a string") }
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.count else { throw failure("unexpected end") }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                    UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    index += 1
                    let code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw failure("an unpaired surrogate")
                        }
                        index += 2
                        guard (0xDC00..<0xE000).contains(try hex4()) else { throw failure("an unpaired surrogate") }
                    } else if (0xDC00..<0xE000).contains(code) {
                        throw failure("an unpaired surrogate")
                    }
                default:
                    throw failure("an invalid escape")
                }
                continue
            }
            index += 1
        }
        throw failure("an unterminated string")
    }

    /// Skips a number, checking its form, without converting it.
    private mutating func skipNumber() throws(Failure) {
        func digits() throws(Failure) {
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { throw failure("expected a digit") }
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            try digits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            try digits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            try digits()
        }
    }

    /// Skips the value that comes next, checking that it is well-formed.
    package mutating func skipValue() throws(Failure) {
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try members { parser, _ throws(Failure) in try parser.skipValue() }
        case UInt8(ascii: "["): try elements { parser throws(Failure) in try parser.skipValue() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw failure("unexpected character")
        }
    }
}
