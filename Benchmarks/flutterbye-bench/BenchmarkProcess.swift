import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process of the benchmark (the local chain, the generator, the worker, a reference script), stopped when
/// the benchmark is done with it. Its standard input is a pipe the benchmark holds (closing it tells the local chain's
/// `--exit-on-stdin-eof` to go); its output goes to the first line the benchmark reads, to a log file, or nowhere.
final class BenchmarkProcess: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private(set) var readyLine = ""

    /// Starts `executable`. With `readyLine`, waits for the first line it writes to standard output. With `log`, its
    /// standard error (and its standard output, unless `readyLine`) is appended to that file, else standard error is
    /// the benchmark's and standard output is discarded. `environment` replaces the benchmark's own when given.
    init(_ executable: String, _ arguments: [String], readyLine: Bool, environment: [String: String]? = nil, log: URL? = nil) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = input
        var logHandle: FileHandle?
        if let log {
            if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: log)
            try handle.seekToEnd()
            logHandle = handle
            process.standardError = handle
        }
        process.standardOutput = readyLine ? output : (logHandle ?? FileHandle.nullDevice)
        defer { try? logHandle?.close() }
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

    var isRunning: Bool { process.isRunning }

    /// Closes its standard input and waits until it exits; its exit status.
    func wait() -> Int32 {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Closes its standard input, sends SIGTERM and waits until it exits.
    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Sends `signal` and waits up to `grace` for the process to exit; past that it is killed (SIGKILL). Returns the
    /// exit status when it exited by itself in time, nil when it had to be killed or died of a signal.
    @discardableResult
    func stop(signal number: Int32, within grace: Duration) -> Int32? {
        if process.isRunning { kill(process.processIdentifier, number) }
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        var killed = false
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            killed = true
        }
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        return !killed && process.terminationReason == .exit ? process.terminationStatus : nil
    }
}
