import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Reading an answer's body as untrusted input: at most a limit of bytes (a larger Content-Length is refused before
/// reading anything), and only UTF-8, as JSON must be (RFC 8259 section 8.1).
enum ResponseBody {
    /// Why a body was not read.
    enum Failure: Error {
        /// The body is (or says it is) larger than the limit.
        case tooLarge
        /// The connection broke while the body was read.
        case broke(any Error)
        /// The body is not UTF-8: the first bad byte's offset.
        case notUTF8(at: Int)
    }

    /// The whole body of `response`, refused past `limit` bytes or when it is not UTF-8.
    static func read(_ response: HTTPClientResponse, limit: Int) async throws(Failure) -> ByteBuffer {
        var declared: Int?
        if let text = response.headers.first(name: "Content-Length") {
            guard let length = Int(text), length >= 0, length <= limit else { throw .tooLarge }
            declared = length
        }
        var collected = ByteBuffer()
        if let declared { collected.reserveCapacity(declared) }
        do {
            for try await chunk in response.body {
                guard chunk.readableBytes <= limit - collected.readableBytes else { throw Failure.tooLarge }
                collected.writeImmutableBuffer(chunk)
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .broke(error)
        }
        if let offset = collected.withUnsafeReadableBytes({ firstInvalidUTF8(in: $0) }) { throw .notUTF8(at: offset) }
        return collected
    }

    /// The offset of the first byte of `bytes` that is not part of well-formed UTF-8 (Unicode 15, table 3-7: no
    /// overlong forms, no surrogates, nothing past U+10FFFF), or nil when all of it is. ASCII goes eight bytes at a time.
    static func firstInvalidUTF8(in bytes: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            if index + 8 <= count, bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index += 8
                continue
            }
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF  // the allowed range of the second byte
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                high = 0x9F
            case 0xF0:
                length = 4
                low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                high = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            guard (low...high).contains(bytes[index + 1]) else { return index }
            for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) { return index }
            index += length
        }
        return nil
    }
}
