import Foundation
import SolanaCore

/// Addresses decoded from base58 text lately, by their text: the keys that recur through a batch of `getTransaction`
/// answers (the mint and the token programs in every token balance, the holders before and after) are decoded once
/// instead of each time (a decode is a schoolbook base conversion). A small table indexed by a hash of the text; a
/// slot holds the last text that landed in it, compared in full before its key is used.
struct AddressTextCache {
    static let slots = 256
    static let width = 44  // the longest base58 text of 32 bytes
    private var texts = [UInt8](repeating: 0, count: slots * width)
    private var lengths = [UInt8](repeating: 0, count: slots)
    private var keys = [PublicKey](repeating: .zero, count: slots)

    /// The address `utf8` is the base58 text of, or nil when it is not one.
    mutating func key(_ utf8: UnsafeBufferPointer<UInt8>) -> PublicKey? {
        guard utf8.count >= 16, utf8.count <= Self.width, let base = utf8.baseAddress else { return PublicKey(base58UTF8: utf8) }
        let word = UnsafeRawPointer(base + 8).loadUnaligned(as: UInt64.self) ^ UInt64(utf8.count)
        let slot = Int(truncatingIfNeeded: (word &* 0x9E37_79B9_7F4A_7C15) >> 56)
        let offset = slot * Self.width
        let hit =
            lengths[slot] == UInt8(utf8.count)
            && texts.withUnsafeBufferPointer { texts in
                memcmp(texts.baseAddress! + offset, base, utf8.count) == 0
            }
        if hit { return keys[slot] }
        guard let key = PublicKey(base58UTF8: utf8) else { return nil }
        texts.withUnsafeMutableBufferPointer { texts in
            for index in 0..<utf8.count { texts[offset + index] = utf8[index] }
        }
        lengths[slot] = UInt8(utf8.count)
        keys[slot] = key
        return key
    }
}
