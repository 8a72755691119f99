/// Bitcoin-alphabet base58, the text form of Solana keys, signatures and blockhashes.
public enum Base58 {
    static let alphabet: [UInt8] = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
    static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = Int8(index) }
        return table
    }()

    /// Encodes bytes as base58; leading zero bytes become leading `1`s.
    ///
    /// The number is built in limbs of 58^5 (each five base58 digits), taking the input four bytes at a time, so the
    /// schoolbook conversion does about a twentieth of the steps of a digit-by-digit one: signatures and keys are
    /// encoded for every row the indexer writes.
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        var zeros = 0
        while zeros < input.count && input[zeros] == 0 { zeros += 1 }
        let significant = input.count - zeros
        guard significant > 0 else { return String(repeating: "1", count: zeros) }
        let limbBase: UInt64 = 656_356_768  // 58^5
        // log(256)/log(58) ≈ 1.366 digits per byte, five digits per limb; limbs little-endian.
        var limbs = [UInt32](repeating: 0, count: significant * 1366 / 5000 + 2)
        var length = 0
        var index = zeros
        var chunk = significant % 4 == 0 ? 4 : significant % 4
        while index < input.count {
            var carry: UInt64 = 0
            for k in 0..<chunk { carry = carry << 8 | UInt64(input[index + k]) }
            let shift = UInt64(8 * chunk)
            var i = 0
            while i < length || carry != 0 {
                let current = UInt64(limbs[i]) << shift + carry
                limbs[i] = UInt32(current % limbBase)
                carry = current / limbBase
                i += 1
            }
            length = max(length, i)
            index += chunk
            chunk = 4
        }
        var out = [UInt8](repeating: alphabet[0], count: zeros)
        out.reserveCapacity(zeros + length * 5)
        var digits = [UInt8](repeating: 0, count: 5)
        for limbIndex in stride(from: length - 1, through: 0, by: -1) {
            var limb = limbs[limbIndex]
            for position in stride(from: 4, through: 0, by: -1) {
                digits[position] = UInt8(limb % 58)
                limb /= 58
            }
            var first = 0
            // The most significant limb is written without its leading zero digits.
            if limbIndex == length - 1 { while first < 4 && digits[first] == 0 { first += 1 } }
            for position in first..<5 { out.append(alphabet[Int(digits[position])]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base58 text; throws `invalidBase58Character` naming the first bad character and its position.
    ///
    /// Like `encode`, it works in large steps: five digits at a time into 32-bit limbs.
    public static func decode(_ text: String) throws(SolanaCoreError) -> [UInt8] {
        let input = Array(text.utf8)
        var zeros = 0
        while zeros < input.count && input[zeros] == alphabet[0] { zeros += 1 }
        let significant = input.count - zeros
        // log(58)/log(256) ≈ 0.733 bytes per digit, four bytes per limb; limbs little-endian.
        var limbs = [UInt32](repeating: 0, count: significant * 733 / 4000 + 2)
        var length = 0
        var index = zeros
        while index < input.count {
            let chunk = min(5, input.count - index)
            var carry: UInt64 = 0
            var multiplier: UInt64 = 1
            for k in 0..<chunk {
                let char = input[index + k]
                let value = decodeTable[Int(char)]
                guard value >= 0 else {
                    let scalarText = String(decoding: [char], as: UTF8.self)
                    let shown = char < 0x80 ? "'\(scalarText)'" : "a non-ASCII byte"
                    throw SolanaCoreError(
                        .invalidBase58Character,
                        "invalid base58: \(shown) at position \(index + k) is not in the base58 alphabet (no 0, O, I, l, or non-alphanumerics)"
                    )
                }
                carry = carry * 58 + UInt64(value)
                multiplier *= 58
            }
            var i = 0
            while i < length || carry != 0 {
                let current = UInt64(limbs[i]) * multiplier + carry
                limbs[i] = UInt32(truncatingIfNeeded: current)
                carry = current >> 32
                i += 1
            }
            length = max(length, i)
            index += chunk
        }
        var out = [UInt8](repeating: 0, count: zeros)
        out.reserveCapacity(zeros + length * 4)
        var leading = true
        for limbIndex in stride(from: length - 1, through: 0, by: -1) {
            let limb = limbs[limbIndex]
            for shift in stride(from: 24, through: 0, by: -8) {
                let byte = UInt8(truncatingIfNeeded: limb >> UInt32(shift))
                if leading && byte == 0 { continue }
                leading = false
                out.append(byte)
            }
        }
        return out
    }
}
