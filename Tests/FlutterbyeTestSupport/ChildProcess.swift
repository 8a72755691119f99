public import Foundation

/// Waits for child processes without holding a thread of Swift's cooperative pool. That pool has one thread per core
/// (two on CI): a test blocked there in `waitUntilExit` or a pipe read stalls every other test of the process, the
/// servers under test included, for as long as the child runs (a CI run saw 30 s stalls fail a dozen unrelated tests).
public enum ChildProcess {
    /// Runs `process` (configured, not started) to its end, its standard output (and standard error, unless it has
    /// a pipe of its own) read on a thread of its own; returns the exit status and what it printed.
    public static func run(_ process: Process) async throws -> (status: Int32, output: Data) {
        let output = Pipe()
        process.standardOutput = output
        // Foundation's default is the parent's standard error, not nil: only a pipe the caller set is kept apart.
        if !(process.standardError is Pipe) { process.standardError = output }
        try process.run()
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, data))
            }
        }
    }

    /// Waits up to `limit` for a started `process` to exit, on a thread of its own; whether it did.
    public static func exit(of process: Process, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        guard !process.isRunning else { return false }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        return true
    }

    /// The first line `handle` gives (without its newline), read on a thread of its own; nil when it ends first.
    /// What follows the line is left unread.
    public static func firstLine(of handle: FileHandle) async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var line: [UInt8] = []
                while true {
                    if let newline = line.firstIndex(of: UInt8(ascii: "\n")) {
                        continuation.resume(returning: Array(line[..<newline]))
                        return
                    }
                    let chunk = handle.availableData
                    guard !chunk.isEmpty else {
                        continuation.resume(returning: nil)
                        return
                    }
                    line.append(contentsOf: chunk)
                }
            }
        }
    }

    /// Waits for a process told to stop, on a thread of its own, from code that cannot wait (a `deinit`).
    public static func reap(_ process: Process) {
        Thread.detachNewThread { process.waitUntilExit() }
    }
}
