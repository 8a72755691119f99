/// Reads Solana wire-format values from bytes; every read checks bounds and throws instead of trapping.
public struct WireReader: Sendable {
    private let bytes: [UInt8]
    /// The offset of the next byte to read.
    public private(set) var offset: Int
    private let errorCode: SolanaCoreError.Code
    private let what: String

    /// Creates a reader; failures are reported with `errorCode` and name `what` is being read.
    public init(_ bytes: [UInt8], errorCode: SolanaCoreError.Code, what: String) {
        self.bytes = bytes
        self.offset = 0
        self.errorCode = errorCode
        self.what = what
    }

    /// Bytes not read yet.
    public var remaining: Int { bytes.count - offset }

    private func fail(_ detail: String) -> SolanaCoreError {
        SolanaCoreError(errorCode, "malformed \(what) at byte \(offset): \(detail)")
    }

    public mutating func readByte() throws(SolanaCoreError) -> UInt8 {
        guard offset < bytes.count else { throw fail("unexpected end (needed 1 more byte)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readBytes(_ count: Int) throws(SolanaCoreError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw fail("unexpected end (needed \(count) bytes, \(remaining) left)") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    public mutating func readPublicKey() throws(SolanaCoreError) -> PublicKey {
        guard remaining >= 32 else { throw fail("unexpected end (needed a 32-byte key, \(remaining) bytes left)") }
        defer { offset += 32 }
        return bytes.withUnsafeBytes { PublicKey(copying32: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + 32])) }
    }

    public mutating func readSignature() throws(SolanaCoreError) -> Signature {
        guard remaining >= 64 else { throw fail("unexpected end (needed a 64-byte signature, \(remaining) bytes left)") }
        defer { offset += 64 }
        return bytes.withUnsafeBytes { Signature(copying64: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + 64])) }
    }

    public mutating func readLittleEndian<T: FixedWidthInteger & UnsignedInteger>(_: T.Type) throws(SolanaCoreError) -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw fail("unexpected end (needed \(size) bytes, \(remaining) left)") }
        var value: T = 0
        for i in 0..<size { value |= T(bytes[offset + i]) << (8 * i) }
        offset += size
        return value
    }

    /// Reads a compact-u16, rejecting encodings over 3 bytes, above 65535, or not in their shortest form
    /// (as the Solana runtime does).
    public mutating func readCompactU16() throws(SolanaCoreError) -> Int {
        var value = 0
        for index in 0..<3 {
            let byte = try readByte()
            value |= Int(byte & 0x7f) << (7 * index)
            if byte & 0x80 == 0 {
                if index > 0 && byte == 0 { throw fail("compact-u16 length is not in its shortest form") }
                guard value <= 0xFFFF else { throw fail("compact-u16 length exceeds 65535") }
                return value
            }
            if index == 2 { throw fail("compact-u16 length is longer than 3 bytes") }
        }
        throw fail("compact-u16 length is longer than 3 bytes")
    }

    /// Reads a borsh string (u32 length + UTF-8); invalid UTF-8 throws.
    public mutating func readBorshString() throws(SolanaCoreError) -> String {
        let length = Int(try readLittleEndian(UInt32.self))
        let raw = try readBytes(length)
        guard let text = String(validating: raw, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
        return text
    }
}
