import Foundation

/// A child process of the benchmark (the local chain, the generator), killed when it is stopped.
final class BenchmarkProcess: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private(set) var readyLine = ""

    init(_ executable: String, _ arguments: [String], readyLine: Bool) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = readyLine ? output : FileHandle.nullDevice
        try process.run()
        if readyLine {
            var bytes: [UInt8] = []
            while !bytes.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                guard !chunk.isEmpty else { throw BenchmarkFailure("\(arguments.first ?? executable) ended before it was ready") }
                bytes += chunk
            }
            self.readyLine = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        }
    }

    func wait() -> Int32 {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
