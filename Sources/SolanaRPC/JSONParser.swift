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
    package private(set) var index = 0
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
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
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
        try self.members { parser, name throws(Failure) in members[String(decoding: name.bytes, as: UTF8.self)] = try parser.value() }
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

    private mutating func hex4() throws(Failure) -> UInt32 {
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
        if isInteger {
            if let value = Int64(text) { return .int(value) }
            if !negative, let value = UInt64(text) { return .uint(value) }
        }
        // 1e400 reads as infinity, which no JSON number means.
        guard let value = Double(text), value.isFinite else { throw failure("a number out of range") }
        // As JSONDecoder reads them: a whole number written with a fraction or exponent (1e3, 0.0) is an integer.
        if let whole = Int64(exactly: value) { return .int(whole) }
        return .double(value)
    }
}

// MARK: Reading in place

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

extension JSONValue {
    /// Parses a JSON document (UTF-8) with the package's fast parser.
    public static func parse(_ data: some ContiguousBytes) throws(RPCError) -> JSONValue {
        do { return try JSONParser.parse(data) } catch {
            throw RPCError(.invalidResponse, error.description)
        }
    }
}

extension JSONValue {
    /// The value as compact JSON (UTF-8), written by hand: requests are built this way rather than through
    /// `JSONEncoder`. A non-finite double, which JSON cannot carry, is written as null.
    public var serialized: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        serialize(into: &out)
        return out
    }

    func serialize(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .uint(let value): out.append(contentsOf: String(value).utf8)
        case .double(let value): out.append(contentsOf: (value.isFinite ? String(value) : "null").utf8)
        case .string(let value): Self.serialize(string: value, into: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.serialize(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // Sorted keys: the same value always gives the same bytes.
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.serialize(string: key, into: &out)
                out.append(UInt8(ascii: ":"))
                members[key]!.serialize(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func serialize(string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Keys, signatures and base64 need no escapes: copied at once (checked over the contiguous bytes, not
        // through the generic view, which took as long as the rest of a request).
        let plain = string.utf8.withContiguousStorageIfAvailable { utf8 in
            !utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        }
        if plain ?? !string.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: string.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): out.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): out.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
