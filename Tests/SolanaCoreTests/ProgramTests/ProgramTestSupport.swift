import SolanaCore
import Testing

/// The program builder, decoder and account-state suites (`swift test --filter ProgramTests`).
@Suite struct ProgramTests {}

/// Helpers shared by the program tests, kept in a namespace so they cannot clash with other test files.
enum ProgramFixtures {
    /// A key whose 32 bytes are all `byte` (distinct, readable test addresses).
    static func key(_ byte: UInt8) -> PublicKey {
        var value = PublicKey.zero
        withUnsafeMutableBytes(of: &value) { raw in
            for index in raw.indices { raw[index] = byte }
        }
        return value
    }

    /// Little-endian bytes of an unsigned integer.
    static func le<T: FixedWidthInteger & UnsignedInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// A borsh string: u32 little-endian byte count, then UTF-8.
    static func borsh(_ text: String) -> [UInt8] { le(UInt32(text.utf8.count)) + Array(text.utf8) }

    /// The `SolanaCoreError` that `body` throws, or nil when it throws nothing (or another error type).
    static func failure(_ body: () throws -> Void) -> SolanaCoreError? {
        do { try body() } catch let error as SolanaCoreError { return error } catch { return nil }
        return nil
    }
}
