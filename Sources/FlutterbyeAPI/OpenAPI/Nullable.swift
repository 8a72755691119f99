/// A member the API always sends, as its value or as `null`: the Swift type of the document's `Nullable*` schemas
/// (`typeOverrides` in Scripts/openapi-generator/openapi-generator-config.yaml). The generator maps a plain
/// `"type": [T, "null"]` to an Optional that its Codable leaves out when nil; this writes `null`, as the API always has.
struct Nullable<Wrapped: Codable & Hashable & Sendable>: Codable, Hashable, Sendable {
    var value: Wrapped?

    init(_ value: Wrapped?) {
        self.value = value
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        value = container.decodeNil() ? nil : try container.decode(Wrapped.self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value { try container.encode(value) } else { try container.encodeNil() }
    }
}
