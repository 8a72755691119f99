import PostgresNIO

/// A job's `signatures` column read as its signatures in order, whatever shape an operator's SQL gave the array: NULL
/// elements are left out, and several dimensions or another lower bound read flat. PostgresNIO's own array decoding
/// refuses all three, and one such row failed a whole claim after the database had claimed its batch.
struct StoredSignatures: PostgresDecodable, Sendable {
    var values: [String]

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        // The binary array: dimensions, whether it has NULLs, the element type; (length, lower bound) per dimension;
        // then each element as a length (-1: NULL) and its bytes.
        guard format == .binary, let (dimensions, _, _) = buffer.readMultipleIntegers(endianness: .big, as: (Int32, Int32, UInt32).self),
            (0...6).contains(dimensions)
        else { throw PostgresDecodingError.Code.failure }
        var count = dimensions == 0 ? 0 : 1
        for _ in 0..<dimensions {
            guard let (length, _) = buffer.readMultipleIntegers(endianness: .big, as: (Int32, Int32).self), length >= 0 else {
                throw PostgresDecodingError.Code.failure
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(length))
            guard !overflow else { throw PostgresDecodingError.Code.failure }
            count = product
        }
        var values: [String] = []
        values.reserveCapacity(min(count, 1_024))
        for _ in 0..<count {
            guard let length = buffer.readInteger(endianness: .big, as: Int32.self) else { throw PostgresDecodingError.Code.failure }
            guard length >= 0 else { continue }
            guard let text = buffer.readString(length: Int(length)) else { throw PostgresDecodingError.Code.failure }
            values.append(text)
        }
        self.values = values
    }
}
