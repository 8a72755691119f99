public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file an operator names in the configuration (a keypair file, the program's Anchor IDL): only a regular
/// file of at most `maximumBytes`. A path such as /dev/zero, a FIFO or a directory is refused at once, saying what it
/// is, where Foundation's readers gave a wrong reason ("You don't have permission" for /dev/zero, as root).
public enum ConfigurationFile {
    /// The largest file read: a keypair file is about 230 bytes, a program's IDL some tens of kilobytes.
    public static let maximumBytes = 1 << 20

    /// Why a configuration file was not read; the description names the path and what to do.
    public struct ReadError: Error, CustomStringConvertible, Sendable, Hashable {
        public let description: String
    }

    /// The bytes of the regular file at `path` (symbolic links followed).
    public static func data(atPath path: String) throws(ReadError) -> Data {
        // Non-blocking, so that opening a FIFO does not wait for a writer; a regular file reads as usual.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw ReadError(description: "\(path) does not exist") }
            throw ReadError(description: "\(path) cannot be opened (\(reason(code))); check the path and that this user may read it")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ReadError(description: "\(path) cannot be examined (\(reason(errno)))")
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG else {
            throw ReadError(description: "\(path) is not a regular file (\(name(ofKind: kind))); give the path of the file itself")
        }
        guard status.st_size <= maximumBytes else {
            throw ReadError(description: "\(path) is larger than \(maximumBytes) bytes (\(status.st_size)); is it the right file?")
        }
        // The size may change while the file is read: read at most one byte past the limit and refuse that too.
        var bytes = [UInt8](repeating: 0, count: maximumBytes + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            }
            if got == 0 { break }
            if got < 0 {
                let code = errno
                if code == EINTR { continue }
                throw ReadError(description: "\(path) cannot be read (\(reason(code)))")
            }
            count += got
        }
        guard count <= maximumBytes else { throw ReadError(description: "\(path) is larger than \(maximumBytes) bytes; is it the right file?") }
        return Data(bytes[0..<count])
    }

    /// The UTF-8 text of the regular file at `path`.
    public static func text(atPath path: String) throws(ReadError) -> String {
        let data = try data(atPath: path)
        guard let text = String(data: data, encoding: .utf8) else { throw ReadError(description: "\(path) is not UTF-8 text") }
        return text
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    private static func name(ofKind kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        default: "not a file"
        }
    }
}
