/// Finding the bytes that text formats escape, eight bytes at a time: the JSON parser's strings and the indexer's
/// COPY rows (signatures, keys, base64 and log lines) are long runs with none.
package enum ByteScan {
    /// The index of the first backslash or control character (below 0x20) in `bytes` from `start`, or of the first
    /// quote too when `quote` is true; `bytes.count` when there is none.
    @inline(__always) package static func firstEscaped(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, quote: Bool) -> Int {
        var index = start
        let count = bytes.count
        guard let base = bytes.baseAddress else { return count }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // With no quote wanted, the quote test looks for the backslash again.
        let quoteByte = quote ? UInt8(ascii: "\"") : UInt8(ascii: "\\")
        while index + 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            // A byte's high bit is set where it is zero (after the XOR), or below 0x20: exact for the lowest such
            // byte, which is the one taken.
            let quotes = word ^ (ones &* UInt64(quoteByte))
            let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            let hits = ((quotes &- ones) & ~quotes | (backslashes &- ones) & ~backslashes | (word &- ones &* 0x20) & ~word) & highs
            if hits != 0 { return index + hits.trailingZeroBitCount >> 3 }
            index += 8
        }
        while index < count {
            let byte = base[index]
            if byte == quoteByte || byte == UInt8(ascii: "\\") || byte < 0x20 { return index }
            index += 1
        }
        return count
    }
}
