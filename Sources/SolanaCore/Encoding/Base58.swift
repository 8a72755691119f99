/// Bitcoin-alphabet base58, the text form of Solana keys, signatures and blockhashes.
public enum Base58 {
    static let alphabet: [UInt8] = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)

    /// The digit of each ASCII character, 0x7F outside the alphabet: a constant in the binary (no global to
    /// initialize), read with no branch per character. A switch over the alphabet's ranges was as fast only on text
    /// the branch predictor had seen before; on the signatures of an RPC answer, each different, it cost three times
    /// as much.
    static var digitTable: StaticString {
        """
        \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
        \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
        \u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
        \u{7F}\u{00}\u{01}\u{02}\u{03}\u{04}\u{05}\u{06}\u{07}\u{08}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
        \u{7F}\u{09}\u{0A}\u{0B}\u{0C}\u{0D}\u{0E}\u{0F}\u{10}\u{7F}\u{11}\u{12}\u{13}\u{14}\u{15}\u{7F}\
        \u{16}\u{17}\u{18}\u{19}\u{1A}\u{1B}\u{1C}\u{1D}\u{1E}\u{1F}\u{20}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\
        \u{7F}\u{21}\u{22}\u{23}\u{24}\u{25}\u{26}\u{27}\u{28}\u{29}\u{2A}\u{2B}\u{7F}\u{2C}\u{2D}\u{2E}\
        \u{2F}\u{30}\u{31}\u{32}\u{33}\u{34}\u{35}\u{36}\u{37}\u{38}\u{39}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}
        """
    }

    /// The digit a character stands for, or -1 outside the alphabet.
    @inline(__always) static func digit(_ char: UInt8) -> Int8 {
        guard char < 0x80 else { return -1 }
        let value = digitTable.utf8Start[Int(char)]
        return value == 0x7F ? -1 : Int8(value)
    }

    /// Whether every character of `text` is a base58 digit (true for the empty text).
    public static func hasOnlyDigits(_ text: String) -> Bool {
        text.utf8.allSatisfy { digit($0) >= 0 }
    }

    /// Encodes bytes as base58; leading zero bytes become leading `1`s.
    ///
    /// The number is built in limbs of 58^5 (each five base58 digits), taking the input four bytes at a time, so the
    /// schoolbook conversion does about a twentieth of the steps of a digit-by-digit one; the limbs live on the stack
    /// and the digits are written straight into the string. Signatures and keys are encoded for every row the indexer
    /// writes.
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(UnsafeRawBufferPointer($0)) }) { return text }
        return Array(bytes).withUnsafeBytes { encode($0) }
    }

    /// `encode` over raw bytes.
    public static func encode(_ input: UnsafeRawBufferPointer) -> String {
        var zeros = 0
        while zeros < input.count && input[zeros] == 0 { zeros += 1 }
        let significant = input.count - zeros
        guard significant > 0 else { return String(repeating: "1", count: zeros) }
        let limbBase: UInt64 = 656_356_768  // 58^5
        // log(256)/log(58) ≈ 1.366 digits per byte, five digits per limb; limbs little-endian.
        let capacity = significant * 1366 / 5000 + 2
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: capacity) { limbs in
            var length = 0
            var index = zeros
            var chunk = significant % 4 == 0 ? 4 : significant % 4
            while index < input.count {
                var carry: UInt64 = 0
                for k in 0..<chunk { carry = carry << 8 | UInt64(input[index + k]) }
                let shift = UInt64(8 * chunk)
                var i = 0
                while i < length {
                    let current = UInt64(limbs[i]) << shift + carry
                    limbs[i] = UInt32(truncatingIfNeeded: current % limbBase)
                    carry = current / limbBase
                    i += 1
                }
                while carry != 0 {
                    limbs[i] = UInt32(truncatingIfNeeded: carry % limbBase)
                    carry /= limbBase
                    i += 1
                }
                length = i
                index += chunk
                chunk = 4
            }
            // The most significant limb is written without its leading zero digits.
            var top = limbs[length - 1]
            var topDigits = 0
            while top > 0 {
                topDigits += 1
                top /= 58
            }
            let count = zeros + topDigits + (length - 1) * 5
            return String(unsafeUninitializedCapacity: count) { out in
                for position in 0..<zeros { out[position] = alphabet[0] }
                var end = count
                for limbIndex in 0..<length {
                    var limb = limbs[limbIndex]
                    let digits = limbIndex == length - 1 ? topDigits : 5
                    for _ in 0..<digits {
                        end -= 1
                        out[end] = alphabet[Int(limb % 58)]
                        limb /= 58
                    }
                }
                return count
            }
        }
    }

    /// Decodes base58 text; throws `invalidBase58Character` naming the first bad character and its position.
    ///
    /// Like `encode`, it works in large steps: ten digits at a time into 64-bit limbs.
    public static func decode(_ text: String) throws(SolanaCoreError) -> [UInt8] {
        var text = text
        let result: Result<[UInt8], SolanaCoreError> = text.withUTF8 { utf8 in
            do throws(SolanaCoreError) { return .success(try decode(utf8)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// `decode` over base58 text as UTF-8 bytes.
    public static func decode(_ utf8: UnsafeBufferPointer<UInt8>) throws(SolanaCoreError) -> [UInt8] {
        let length = try decodedLength(utf8)
        var failure: SolanaCoreError?
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            do throws(SolanaCoreError) { count = try decode(utf8, into: UnsafeMutableRawBufferPointer(buffer)) } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Decodes base58 text into exactly `out.count` bytes (a key, a signature); throws `invalidLength` naming the
    /// text when it decodes to another length, `invalidBase58Character` for a character outside the alphabet.
    static func decode(_ text: String, exactly out: UnsafeMutableRawBufferPointer, what: String) throws(SolanaCoreError) {
        var text = text
        let result: Result<Int, SolanaCoreError> = text.withUTF8 { utf8 in
            do throws(SolanaCoreError) { return .success(try decode(utf8, into: out)) } catch { return .failure(error) }
        }
        let count: Int
        do { count = try result.get() } catch  where error.code == .invalidLength {
            // Not shown: text that decodes to too many bytes may be a secret key put where an address belongs.
            throw SolanaCoreError(
                .invalidLength,
                "the text (\(text.utf8.count) characters, not shown: it may be a secret key) decodes to more than \(out.count) bytes, but \(what) is \(out.count) bytes"
            )
        }
        guard count == out.count else {
            throw SolanaCoreError(.invalidLength, "'\(text)' decodes to \(count) bytes, but \(what) is \(out.count) bytes")
        }
    }

    /// The most bytes `utf8` (base58 text) can decode to; checks every character against the alphabet.
    static func decodedLength(_ utf8: UnsafeBufferPointer<UInt8>) throws(SolanaCoreError) -> Int {
        var zeros = 0
        while zeros < utf8.count && utf8[zeros] == UInt8(ascii: "1") { zeros += 1 }
        for (position, char) in utf8.enumerated() where digit(char) < 0 {
            let scalarText = String(decoding: [char], as: UTF8.self)
            let shown = char < 0x80 ? "'\(scalarText)'" : "a non-ASCII byte"
            throw SolanaCoreError(
                .invalidBase58Character,
                "invalid base58: \(shown) at position \(position) is not in the base58 alphabet (no 0, O, I, l, or non-alphanumerics)")
        }
        // log(58)/log(256) ≈ 0.733 bytes per digit.
        return zeros + (utf8.count - zeros) * 733 / 1000 + 1
    }

    /// Decodes base58 text (UTF-8) into `out`, which must hold `decodedLength(utf8)` bytes (or the caller's expected
    /// length, when it is checking one: a longer result throws `invalidLength`); returns the number of bytes written.
    /// Throws `invalidBase58Character` for a character outside the alphabet.
    public static func decode(_ utf8: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableRawBufferPointer) throws(SolanaCoreError) -> Int {
        var zeros = 0
        while zeros < utf8.count && utf8[zeros] == UInt8(ascii: "1") { zeros += 1 }
        let significant = utf8.count - zeros
        // log(58)/log(256) ≈ 0.733 bytes per digit, eight bytes per limb; limbs little-endian. Ten digits at a time:
        // 58^10 < 2^59, so a limb times it, plus the carry, fits the 128 bits of a full-width product.
        let capacity = significant * 733 / 8000 + 2
        let result: Result<Int, SolanaCoreError> = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: capacity) { limbs in
            var length = 0
            var index = zeros
            while index < utf8.count {
                let chunk = min(10, utf8.count - index)
                var carry: UInt64 = 0
                var multiplier: UInt64 = 1
                for k in 0..<chunk {
                    let value = digit(utf8[index + k])
                    guard value >= 0 else {
                        do throws(SolanaCoreError) { _ = try decodedLength(utf8) } catch { return .failure(error) }
                        return .failure(SolanaCoreError(.invalidBase58Character, "invalid base58"))
                    }
                    carry = carry &* 58 &+ UInt64(value)
                    multiplier &*= 58
                }
                var i = 0
                while i < length {
                    let (high, low) = limbs[i].multipliedFullWidth(by: multiplier)
                    let (sum, overflow) = low.addingReportingOverflow(carry)
                    limbs[i] = sum
                    carry = high &+ (overflow ? 1 : 0)
                    i += 1
                }
                if carry != 0 {
                    limbs[i] = carry
                    i += 1
                }
                length = i
                index += chunk
            }
            // Significant bytes of the limbs, most significant first, without leading zero bytes.
            var topBytes = 0
            if length > 0 {
                var top = limbs[length - 1]
                while top > 0 {
                    topBytes += 1
                    top >>= 8
                }
            }
            let count = zeros + (length > 0 ? topBytes + (length - 1) * 8 : 0)
            guard count <= out.count else {
                return .failure(SolanaCoreError(.invalidLength, "base58 text decodes to \(count) bytes, more than the \(out.count) expected"))
            }
            for position in 0..<zeros { out[position] = 0 }
            var end = count
            for limbIndex in 0..<length {
                var limb = limbs[limbIndex]
                let bytes = limbIndex == length - 1 ? topBytes : 8
                for _ in 0..<bytes {
                    end -= 1
                    out[end] = UInt8(truncatingIfNeeded: limb)
                    limb >>= 8
                }
            }
            return .success(count)
        }
        return try result.get()
    }
}
