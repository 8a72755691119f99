/// Bitcoin-alphabet base58, the text form of Solana keys, signatures and blockhashes.
public enum Base58 {
    static let alphabet: [UInt8] = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()

    /// Encodes bytes as base58; leading zero bytes become leading `1`s.
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var zeros = 0
        while zeros < input.count && input[zeros] == 0 { zeros += 1 }
        // log(256)/log(58) ≈ 1.366; digits are stored little-endian in base 58.
        var digits = [UInt8](repeating: 0, count: (input.count - zeros) * 138 / 100 + 1)
        var length = 0
        for byte in input[zeros...] {
            var carry = Int(byte)
            var i = 0
            while carry != 0 || i < length {
                carry += 256 * Int(digits[i])
                digits[i] = UInt8(carry % 58)
                carry /= 58
                i += 1
            }
            length = i
        }
        var out = [UInt8](repeating: alphabet[0], count: zeros)
        out.reserveCapacity(zeros + length)
        for i in stride(from: length - 1, through: 0, by: -1) { out.append(alphabet[Int(digits[i])]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base58 text; throws `invalidBase58Character` naming the first bad character and its position.
    public static func decode(_ text: String) throws(SolanaCoreError) -> [UInt8] {
        let input = Array(text.utf8)
        var zeros = 0
        while zeros < input.count && input[zeros] == alphabet[0] { zeros += 1 }
        // log(58)/log(256) ≈ 0.733; bytes are stored little-endian.
        var bytes = [UInt8](repeating: 0, count: (input.count - zeros) * 733 / 1000 + 1)
        var length = 0
        for (offset, char) in input[zeros...].enumerated() {
            let value = decodeTable[Int(char)]
            guard value >= 0 else {
                let scalarText = String(decoding: [char], as: UTF8.self)
                let shown = char < 0x80 ? "'\(scalarText)'" : "a non-ASCII byte"
                throw SolanaCoreError(
                    .invalidBase58Character,
                    "invalid base58: \(shown) at position \(zeros + offset) is not in the base58 alphabet (no 0, O, I, l, or non-alphanumerics)"
                )
            }
            var carry = Int(value)
            var i = 0
            while carry != 0 || i < length {
                carry += 58 * Int(bytes[i])
                bytes[i] = UInt8(carry & 0xff)
                carry >>= 8
                i += 1
            }
            length = i
        }
        var out = [UInt8](repeating: 0, count: zeros)
        out.reserveCapacity(zeros + length)
        for i in stride(from: length - 1, through: 0, by: -1) { out.append(bytes[i]) }
        return out
    }
}
