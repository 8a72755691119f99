import Crypto
public import Foundation

/// The events of an Anchor program and the types they use, read from its IDL file (`anchor build` writes it to
/// `target/idl/<program>.json`): the format of Anchor 0.30 and later (each event with its discriminator, fields in
/// `types`) and the older one (fields inline, the discriminator the first 8 bytes of SHA-256 of `event:<Name>`).
public struct AnchorIDL: Sendable, Hashable {
    /// One event: its name, the 8 bytes that start its data, and its fields.
    public struct Event: Sendable, Hashable {
        public var name: String
        public var discriminator: [UInt8]
        public var fields: AnchorFields

        public init(name: String, discriminator: [UInt8], fields: AnchorFields) {
            self.name = name
            self.discriminator = discriminator
            self.fields = fields
        }
    }

    public var events: [Event]
    public var types: [String: AnchorTypeDefinition]
    /// The program the IDL is for, where the file says it: `address` (Anchor 0.30 and later) or `metadata.address`
    /// (older IDLs, once `anchor deploy` wrote it).
    public var programID: PublicKey?

    public init(events: [Event], types: [String: AnchorTypeDefinition], programID: PublicKey? = nil) {
        self.events = events
        self.types = types
        self.programID = programID
    }

    /// Reads an IDL document; throws `invalidIDL` naming the part that does not read.
    public init(json: Data) throws(SolanaCoreError) {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: json)
        } catch {
            throw SolanaCoreError(.invalidIDL, "the Anchor IDL is not JSON (\(error)); give the file anchor build writes to target/idl/")
        }
        guard case .object(let root) = document else { throw Self.invalid("the document is not a JSON object") }
        // Every IDL anchor writes lists the program's instructions (`[]` for none); a JSON object without that list
        // is another kind of file, which would otherwise read as an IDL without events.
        guard case .array? = root["instructions"] else {
            throw Self.invalid("the document has no instructions list, so it is not an Anchor IDL")
        }
        var programID: PublicKey?
        let address: JSONValue?
        if case .object(let metadata)? = root["metadata"], root["address"] == nil { address = metadata["address"] } else { address = root["address"] }
        if let address {
            guard case .string(let text) = address, let key = try? PublicKey(base58: text) else {
                throw Self.invalid("the program's address is not a base58 address")
            }
            programID = key
        }
        var types: [String: AnchorTypeDefinition] = [:]
        if let list = root["types"] {
            guard case .array(let items) = list else { throw Self.invalid("types is not a list") }
            for item in items {
                guard case .object(let type) = item, case .string(let name)? = type["name"], let body = type["type"] else {
                    throw Self.invalid("a type without a name or a type")
                }
                if case .string(let serialization)? = type["serialization"], serialization != "borsh" {
                    types[name] = .unsupported("serialization \(serialization)")
                } else if case .array(let generics)? = type["generics"], !generics.isEmpty {
                    types[name] = .unsupported("generic type")
                } else {
                    types[name] = try Self.definition(body, of: "type \(name)")
                }
            }
        }
        var events: [Event] = []
        if let list = root["events"] {
            guard case .array(let items) = list else { throw Self.invalid("events is not a list") }
            for item in items {
                guard case .object(let event) = item, case .string(let name)? = event["name"] else { throw Self.invalid("an event without a name") }
                let discriminator: [UInt8]
                if let given = event["discriminator"] {
                    guard case .array(let bytes) = given, bytes.count == 8 else { throw Self.invalid("event \(name)'s discriminator is not 8 bytes") }
                    discriminator = try bytes.map { value throws(SolanaCoreError) in
                        guard let byte = value.uint64, byte <= 255 else { throw Self.invalid("event \(name)'s discriminator is not 8 bytes") }
                        return UInt8(byte)
                    }
                } else {
                    discriminator = Array(SHA256.hash(data: Data("event:\(name)".utf8)).prefix(8))
                }
                let fields: AnchorFields
                if let inline = event["fields"] {
                    fields = try Self.fields(inline, of: "event \(name)")
                } else if case .structure(let defined)? = types[name] {
                    fields = defined
                } else if types[name] != nil {
                    fields = .tuple([.defined(name)])
                } else {
                    throw Self.invalid("event \(name) has no fields and no type of its name")
                }
                events.append(Event(name: name, discriminator: discriminator, fields: fields))
            }
        }
        self.init(events: events, types: types, programID: programID)
    }

    static func invalid(_ what: String) -> SolanaCoreError {
        SolanaCoreError(.invalidIDL, "the Anchor IDL does not read: \(what); give the file anchor build writes to target/idl/")
    }

    static func definition(_ body: JSONValue, of owner: String) throws(SolanaCoreError) -> AnchorTypeDefinition {
        guard case .object(let object) = body, case .string(let kind)? = object["kind"] else { throw invalid("\(owner) has no kind") }
        switch kind {
        case "struct":
            return .structure(try object["fields"].map { value throws(SolanaCoreError) in try fields(value, of: owner) } ?? .tuple([]))
        case "enum":
            guard case .array(let items)? = object["variants"] else { throw invalid("\(owner) has no variants") }
            var variants: [AnchorVariant] = []
            for item in items {
                guard case .object(let variant) = item, case .string(let name)? = variant["name"] else {
                    throw invalid("a variant of \(owner) has no name")
                }
                let fields = try variant["fields"].map { value throws(SolanaCoreError) in try Self.fields(value, of: "\(owner)::\(name)") }
                variants.append(AnchorVariant(name: name, fields: fields ?? .tuple([])))
            }
            return .enumeration(variants)
        case "type":
            guard let alias = object["alias"] else { throw invalid("\(owner) has no alias") }
            return .alias(try type(alias, of: owner))
        default:
            return .unsupported("kind \(kind)")
        }
    }

    /// `[{name, type}, ...]` (named) or `[type, ...]` (a tuple).
    static func fields(_ value: JSONValue, of owner: String) throws(SolanaCoreError) -> AnchorFields {
        guard case .array(let items) = value else { throw invalid("the fields of \(owner) are not a list") }
        if items.isEmpty { return .tuple([]) }
        if case .object(let first) = items[0], first["name"] != nil {
            var named: [AnchorField] = []
            for item in items {
                guard case .object(let field) = item, case .string(let name)? = field["name"], let fieldType = field["type"] else {
                    throw invalid("a field of \(owner) has no name or type")
                }
                named.append(AnchorField(name: name, type: try type(fieldType, of: "\(owner).\(name)")))
            }
            return .named(named)
        }
        var tuple: [AnchorType] = []
        for item in items { tuple.append(try type(item, of: owner)) }
        return .tuple(tuple)
    }

    static func type(_ value: JSONValue, of owner: String) throws(SolanaCoreError) -> AnchorType {
        switch value {
        case .string(let name):
            switch name {
            case "bool": return .bool
            case "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128":
                let bits = Int(name.dropFirst()) ?? 0
                return name.hasPrefix("u") ? .unsigned(bits: bits) : .signed(bits: bits)
            case "f32": return .f32
            case "f64": return .f64
            case "string": return .string
            case "bytes": return .bytes
            case "pubkey", "publicKey": return .publicKey
            default: return .unsupported(name)
            }
        case .object(let object) where object.count == 1:
            guard let (key, inner) = object.first else { throw invalid("\(owner) has an empty type") }
            switch key {
            case "vec": return .vec(try type(inner, of: owner))
            case "option": return .option(try type(inner, of: owner))
            case "coption": return .cOption(try type(inner, of: owner))
            case "array":
                guard case .array(let parts) = inner, parts.count == 2, let count = parts[1].uint64, count <= 1 << 20 else {
                    return .unsupported("array of a generic or unknown length")
                }
                return .array(try type(parts[0], of: owner), count: Int(count))
            case "defined":
                switch inner {
                case .string(let name): return .defined(name)
                case .object(let defined):
                    guard case .string(let name)? = defined["name"] else { throw invalid("\(owner) names no defined type") }
                    if case .array(let generics)? = defined["generics"], !generics.isEmpty { return .unsupported("generic \(name)") }
                    return .defined(name)
                default: throw invalid("\(owner) names no defined type")
                }
            default:
                return .unsupported(key)
            }
        default:
            throw invalid("\(owner) has a type that is neither a name nor an object of one key")
        }
    }
}
