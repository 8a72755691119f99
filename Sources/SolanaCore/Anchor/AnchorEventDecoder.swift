import Foundation

/// Decodes Anchor events (the data of `Program data:` lines: an 8-byte discriminator, then the event's fields in
/// Borsh) with the types of the program's IDL. Integers of up to 32 bits become JSON numbers, wider ones decimal
/// strings (a u64 does not fit a double); public keys base58, byte strings base64, unit enum variants their name
/// and other variants `{"Variant": fields}`. Hostile data ends in `undecodable`, never in a trap or a runaway loop.
public struct AnchorEventDecoder: Sendable {
    /// What a `Program data:` line holds.
    public enum Decoded: Sendable, Hashable {
        /// An event of the IDL: its name and its fields (an object, or an array for tuple fields).
        case event(name: String, fields: JSONValue)
        /// Data that starts with no discriminator of the IDL's events.
        case unknown
        /// An event of the IDL whose data does not decode by its fields: the reason.
        case undecodable(name: String, reason: String)
    }

    public let idl: AnchorIDL
    private let events: [[UInt8]: AnchorIDL.Event]

    public init(idl: AnchorIDL) {
        self.idl = idl
        var events: [[UInt8]: AnchorIDL.Event] = [:]
        for event in idl.events where events[event.discriminator] == nil { events[event.discriminator] = event }
        self.events = events
    }

    public func decode(_ data: [UInt8]) -> Decoded {
        guard data.count >= 8, let event = events[Array(data.prefix(8))] else { return .unknown }
        var reader = Reader(bytes: data, position: 8, types: idl.types)
        do {
            return .event(name: event.name, fields: try reader.fields(event.fields, depth: 0))
        } catch {
            return .undecodable(name: event.name, reason: error.reason)
        }
    }

    struct Failure: Error {
        var reason: String
    }

    /// Borsh, read by the IDL's types.
    struct Reader {
        let bytes: [UInt8]
        var position: Int
        let types: [String: AnchorTypeDefinition]
        /// Values left to decode: a vector of empty structs takes no bytes, so the length alone bounds nothing.
        var budget = 100_000

        static let maxDepth = 32

        mutating func take(_ count: Int) throws(Failure) -> ArraySlice<UInt8> {
            guard count >= 0, count <= bytes.count - position else {
                throw Failure(reason: "the data ends at byte \(bytes.count) where \(count) more were expected at byte \(position)")
            }
            defer { position += count }
            return bytes[position..<position + count]
        }

        mutating func littleEndian(_ count: Int) throws(Failure) -> UInt128 {
            var value: UInt128 = 0
            for (shift, byte) in try take(count).enumerated() { value |= UInt128(byte) << (8 * shift) }
            return value
        }

        mutating func length() throws(Failure) -> Int { Int(try littleEndian(4)) }

        mutating func fields(_ fields: AnchorFields, depth: Int) throws(Failure) -> JSONValue {
            switch fields {
            case .named(let named):
                var object: [String: JSONValue] = [:]
                for field in named { object[field.name] = try value(field.type, depth: depth + 1) }
                return .object(object)
            case .tuple(let types):
                var array: [JSONValue] = []
                for type in types { array.append(try value(type, depth: depth + 1)) }
                return .array(array)
            }
        }

        mutating func value(_ type: AnchorType, depth: Int) throws(Failure) -> JSONValue {
            budget -= 1
            guard budget >= 0 else { throw Failure(reason: "more than 100000 values") }
            guard depth <= Self.maxDepth else { throw Failure(reason: "types nested deeper than \(Self.maxDepth)") }
            switch type {
            case .bool:
                switch try take(1).first {
                case 0: return .bool(false)
                case 1: return .bool(true)
                default: throw Failure(reason: "a bool that is neither 0 nor 1 at byte \(position - 1)")
                }
            case .unsigned(let bits):
                guard [8, 16, 32, 64, 128].contains(bits) else { throw Failure(reason: "u\(bits) is not a Borsh integer") }
                let raw = try littleEndian(bits / 8)
                return bits <= 32 ? .uint(UInt64(raw)) : .string(String(raw))
            case .signed(let bits):
                guard [8, 16, 32, 64, 128].contains(bits) else { throw Failure(reason: "i\(bits) is not a Borsh integer") }
                let raw = try littleEndian(bits / 8)
                // Sign-extend from `bits` to 128.
                let value = Int128(bitPattern: raw << (128 - bits)) >> (128 - bits)
                return bits <= 32 ? .int(Int64(value)) : .string(String(value))
            case .f32:
                return Self.number(Double(Float(bitPattern: UInt32(try littleEndian(4)))))
            case .f64:
                return Self.number(Double(bitPattern: UInt64(try littleEndian(8))))
            case .string:
                let bytes = try take(try length())
                guard let text = String(validating: bytes, as: UTF8.self) else { throw Failure(reason: "a string that is not UTF-8") }
                return .string(text)
            case .bytes:
                return .string(Data(try take(try length())).base64EncodedString())
            case .publicKey:
                return .string(Base58.encode(try take(32)))
            case .vec(let element):
                let count = try length()
                var array: [JSONValue] = []
                for _ in 0..<count { array.append(try value(element, depth: depth + 1)) }
                return .array(array)
            case .option(let inner):
                switch try take(1).first {
                case 0: return .null
                case 1: return try value(inner, depth: depth + 1)
                default: throw Failure(reason: "an option tag that is neither 0 nor 1 at byte \(position - 1)")
                }
            case .cOption(let inner):
                switch try littleEndian(4) {
                case 0: return .null
                case 1: return try value(inner, depth: depth + 1)
                default: throw Failure(reason: "a COption tag that is neither 0 nor 1 at byte \(position - 4)")
                }
            case .array(let element, let count):
                var array: [JSONValue] = []
                for _ in 0..<count { array.append(try value(element, depth: depth + 1)) }
                return .array(array)
            case .defined(let name):
                guard let definition = types[name] else { throw Failure(reason: "the IDL defines no type \(name)") }
                return try defined(definition, name: name, depth: depth)
            case .unsupported(let name):
                throw Failure(reason: "the type \(name) is not decoded")
            }
        }

        mutating func defined(_ definition: AnchorTypeDefinition, name: String, depth: Int) throws(Failure) -> JSONValue {
            switch definition {
            case .structure(let fields):
                return try self.fields(fields, depth: depth + 1)
            case .enumeration(let variants):
                let index = Int(try take(1).first ?? 0)
                guard variants.indices.contains(index) else { throw Failure(reason: "variant \(index) of \(name), which has \(variants.count)") }
                let variant = variants[index]
                if case .tuple(let types) = variant.fields, types.isEmpty { return .string(variant.name) }
                return .object([variant.name: try fields(variant.fields, depth: depth + 1)])
            case .alias(let type):
                return try value(type, depth: depth + 1)
            case .unsupported(let reason):
                throw Failure(reason: "the type \(name) is not decoded (\(reason))")
            }
        }

        /// A float as a JSON number; NaN and the infinities, which JSON has no number for, as text.
        static func number(_ value: Double) -> JSONValue {
            value.isFinite ? .double(value) : .string(String(value))
        }
    }
}
