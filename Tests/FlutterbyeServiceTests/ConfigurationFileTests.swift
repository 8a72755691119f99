import FlutterbyeService
import Foundation
import Testing

/// `ConfigurationFile`: the files an operator names (keypairs, the program's IDL) are read only when they are small
/// regular files; a path such as /dev/zero, a FIFO or a directory is refused at once, saying what it is (Foundation
/// called /dev/zero a permission problem and a directory "NSCocoaErrorDomain error 256"), and nothing is read without
/// a bound.
struct ConfigurationFileTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("configuration-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @Test func aSmallRegularFileIsReadAlsoThroughASymbolicLink() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("[1,2,3]".utf8).write(to: URL(fileURLWithPath: path("key.json")))
        try FileManager.default.createSymbolicLink(atPath: path("link.json"), withDestinationPath: path("key.json"))
        #expect(try ConfigurationFile.text(atPath: path("key.json")) == "[1,2,3]")
        #expect(try ConfigurationFile.text(atPath: path("link.json")) == "[1,2,3]")
        #expect(try ConfigurationFile.data(atPath: path("key.json")) == Data("[1,2,3]".utf8))
    }

    @Test func whatIsNotASmallRegularFileIsRefusedWithItsReason() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(count: ConfigurationFile.maximumBytes + 1).write(to: URL(fileURLWithPath: path("big.json")))
        try Data([0x5B, 0xFF, 0x5D]).write(to: URL(fileURLWithPath: path("binary.json")))
        #expect(mkfifo(path("fifo"), 0o600) == 0)
        let cases: [(String, String)] = [
            ("/dev/zero", "/dev/zero is not a regular file (a character device)"),
            (path("fifo"), "is not a regular file (a FIFO)"),
            (directory.path, "is not a regular file (a directory)"),
            (path("big.json"), "is larger than \(ConfigurationFile.maximumBytes) bytes"),
            (path("none.json"), "does not exist"),
            (path("binary.json"), "is not UTF-8 text"),
        ]
        for (path, expected) in cases {
            #expect {
                try ConfigurationFile.text(atPath: path)
            } throws: { error in
                "\(error)".contains(expected) && "\(error)".contains(path)
            }
        }
    }

    @Test func aFileThisUserMayNotReadIsNamed() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        guard getuid() != 0 else { return }  // root reads every file
        try Data("[1]".utf8).write(to: URL(fileURLWithPath: path("locked.json")))
        #expect(chmod(path("locked.json"), 0) == 0)
        #expect {
            try ConfigurationFile.text(atPath: path("locked.json"))
        } throws: { error in
            "\(error)".contains("cannot be opened") && "\(error)".contains("Permission denied")
        }
    }
}
