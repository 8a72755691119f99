/// Appends Solana wire-format values (little-endian integers, compact-u16 lengths, keys) to a byte array.
public struct WireWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func write(_ byte: UInt8) { bytes.append(byte) }
    public mutating func write(_ data: [UInt8]) { bytes.append(contentsOf: data) }
    public mutating func write(_ key: PublicKey) { key.withBytes { bytes.append(contentsOf: $0) } }
    public mutating func write(_ signature: Signature) { withUnsafeBytes(of: signature) { bytes.append(contentsOf: $0) } }

    /// Writes an unsigned integer in little-endian order.
    public mutating func writeLittleEndian<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Writes a length in Solana's compact-u16 ("shortvec") form: 7 bits a byte, high bit = more follows.
    public mutating func writeCompactU16(_ value: Int) {
        precondition(value >= 0 && value <= 0xFFFF, "compact-u16 holds 0...65535")
        var rest = UInt16(value)
        while true {
            let low = UInt8(rest & 0x7f)
            rest >>= 7
            if rest == 0 {
                bytes.append(low)
                return
            }
            bytes.append(low | 0x80)
        }
    }

    /// Writes a borsh string: u32 little-endian byte length, then UTF-8.
    public mutating func writeBorshString(_ text: String) {
        let utf8 = Array(text.utf8)
        writeLittleEndian(UInt32(utf8.count))
        write(utf8)
    }

    /// The number of bytes a compact-u16 needs for `value`.
    public static func compactU16Size(_ value: Int) -> Int { value < 0x80 ? 1 : value < 0x4000 ? 2 : 3 }
}
