import SolanaCore

@testable import SolanaRPC

/// A JSON document for the fuzz tests to take apart: numbers keep their text, so a mutation can write any number
/// (18446744073709551616, 1e400) or any bytes at all in place of a value.
indirect enum JSONDocument {
    /// A value written as these bytes (a number, string, literal, or anything hostile).
    case raw([UInt8])
    case array([JSONDocument])
    case object([(String, JSONDocument)])

    init(_ value: JSONValue) {
        switch value {
        case .array(let values): self = .array(values.map(JSONDocument.init))
        case .object(let members): self = .object(members.keys.sorted().map { ($0, JSONDocument(members[$0]!)) })
        default: self = .raw(value.serialized)
        }
    }

    /// Parses trusted JSON text (the fuzz tests' own templates).
    init(parsing text: String) {
        self.init(try! JSONValue.parse(Array(text.utf8)))
    }

    static func text(_ text: String) -> JSONDocument { .raw(Array(text.utf8)) }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .raw(let bytes): out += bytes
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.serialize(string: key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The paths (child positions from the root) of every value below the root, depth first.
    var paths: [[Int]] {
        var found: [[Int]] = []
        func walk(_ document: JSONDocument, _ path: [Int]) {
            switch document {
            case .raw: break
            case .array(let values):
                for (index, value) in values.enumerated() {
                    found.append(path + [index])
                    walk(value, path + [index])
                }
            case .object(let members):
                for (index, member) in members.enumerated() {
                    found.append(path + [index])
                    walk(member.1, path + [index])
                }
            }
        }
        walk(self, [])
        return found
    }

    /// The value at `path`.
    func value(at path: ArraySlice<Int>) -> JSONDocument? {
        guard let first = path.first else { return self }
        switch self {
        case .raw: return nil
        case .array(let values): return first < values.count ? values[first].value(at: path.dropFirst()) : nil
        case .object(let members): return first < members.count ? members[first].1.value(at: path.dropFirst()) : nil
        }
    }

    /// The document with the value at `path` replaced by `replacement`, or removed when it is nil.
    func replacing(_ path: ArraySlice<Int>, with replacement: JSONDocument?) -> JSONDocument {
        guard let first = path.first else { return replacement ?? .raw(Array("null".utf8)) }
        switch self {
        case .raw: return self
        case .array(var values):
            guard first < values.count else { return self }
            if path.count == 1, replacement == nil {
                values.remove(at: first)
            } else {
                values[first] = values[first].replacing(path.dropFirst(), with: replacement)
            }
            return .array(values)
        case .object(var members):
            guard first < members.count else { return self }
            if path.count == 1, replacement == nil {
                members.remove(at: first)
            } else {
                members[first].1 = members[first].1.replacing(path.dropFirst(), with: replacement)
            }
            return .object(members)
        }
    }

    /// Whether this is a number (its text starts like one).
    var isNumber: Bool {
        if case .raw(let bytes) = self, let first = bytes.first { return first == UInt8(ascii: "-") || (0x30...0x39).contains(first) }
        return false
    }
}
