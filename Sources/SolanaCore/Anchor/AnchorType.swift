/// A type in an Anchor IDL, as events and defined types use it; the two IDL formats (before and since Anchor 0.30)
/// read into the same values.
public indirect enum AnchorType: Sendable, Hashable {
    case bool
    case unsigned(bits: Int)
    case signed(bits: Int)
    case f32
    case f64
    case string
    case bytes
    case publicKey
    case vec(AnchorType)
    case option(AnchorType)
    /// `COption<T>`: a 4-byte tag (0 or 1) before the value, as SPL accounts store it.
    case cOption(AnchorType)
    case array(AnchorType, count: Int)
    /// A type of the IDL's `types`, by name.
    case defined(String)
    /// A type this reader does not decode (u256, generics, ...): an event that holds one is kept raw.
    case unsupported(String)
}

/// A named field of a struct, an event or an enum variant.
public struct AnchorField: Sendable, Hashable {
    public var name: String
    public var type: AnchorType

    public init(name: String, type: AnchorType) {
        self.name = name
        self.type = type
    }
}

/// The fields of a struct or of an enum variant: named, or a tuple (none is an empty tuple).
public enum AnchorFields: Sendable, Hashable {
    case named([AnchorField])
    case tuple([AnchorType])
}

/// One variant of a defined enum.
public struct AnchorVariant: Sendable, Hashable {
    public var name: String
    public var fields: AnchorFields

    public init(name: String, fields: AnchorFields) {
        self.name = name
        self.fields = fields
    }
}

/// A type the IDL defines by name.
public enum AnchorTypeDefinition: Sendable, Hashable {
    case structure(AnchorFields)
    /// Variants in order: Borsh writes the variant's index as one byte, then its fields.
    case enumeration([AnchorVariant])
    case alias(AnchorType)
    /// A layout other than Borsh (bytemuck, ...), or a kind this reader does not know.
    case unsupported(String)
}
