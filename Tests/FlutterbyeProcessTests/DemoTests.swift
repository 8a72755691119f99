import ChainTestSupport
import FlutterbyeTestSupport
import Foundation
import Testing

/// The README's run command, `Scripts/demo`, with a time limit: it starts PostgreSQL, the local chain and
/// `flutterbye run`, enqueues five jobs while FLBY activity is made, and its summary shows every job confirmed with
/// its mint, every generated movement indexed and the generator's supply; then it removes what it started.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv: run Tests/run"), .serialized)
struct DemoTests {
    @Test func theDemoPrintsItsSummaryAndCleansUp() async throws {
        let script = Repository.root.appendingPathComponent("Scripts/demo")
        let python = try #require(LiteSVMSession.python, "run Tests/run: it makes .venv")
        let process = Process()
        // Through Python, which gives SIGTERM and SIGINT their default action back before running the script: this
        // test process ignores them (ServiceLifecycle's signal handling), and an ignored signal stays ignored across
        // exec, so the demo could not be stopped, nor stop what it started.
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            "-c",
            "import os, signal, sys; signal.signal(signal.SIGTERM, signal.SIG_DFL); signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv('/bin/bash', ['bash'] + sys.argv[1:])",
            script.path, "--exit-after-summary",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["FLUTTERBYE_BINARY"] = WorkerProcessLauncher.binary.path
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // The time limit: a demo still running after 300 s is stopped (SIGTERM: it still cleans up) and fails.
        let deadline = Date().addingTimeInterval(300)
        let reader = Task.detached { String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let timedOut = process.isRunning
        if timedOut {
            process.terminate()
            let grace = Date().addingTimeInterval(30)
            while process.isRunning && Date() < grace { try await Task.sleep(for: .milliseconds(100)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        let text = await reader.value
        #expect(!timedOut, "the demo ran longer than 300 s:\n\(text)")
        #expect(process.terminationStatus == 0, "\(text)")

        #expect(text.contains("jobs confirmed: 5 of 5"), "\(text)")
        let mints = text.split(separator: "\n").filter { $0.contains(": confirmed, mint ") || $0.contains(": finalized, mint ") }
        #expect(mints.count == 5 && mints.allSatisfy { !$0.contains("mint nil") }, "\(text)")
        let movements = try #require(text.firstMatch(of: /indexed movements: (\d+) \(the generator made (\d+)\)/), "\(text)")
        #expect(movements.1 == movements.2 && Int(movements.1) ?? 0 > 0)
        let supply = try #require(text.firstMatch(of: /indexed (\d+) base units \(the generator: (\d+)\)/), "\(text)")
        #expect(supply.1 == supply.2)
        #expect(text.contains("status API: http://127.0.0.1:"))
        // The event log has at least each job's enqueueing and each indexed movement.
        let events = try #require(
            text.firstMatch(of: /event stream: ws:\/\/127\.0\.0\.1:\d+\/v1\/events\?from=oldest .*: (\d+) events so far/), "\(text)")
        #expect(Int(events.1) ?? 0 >= (Int(movements.1) ?? 0) + 5, "\(text)")
        // Everything it started is gone.
        let work = try #require(text.firstMatch(of: /removed (\/tmp\/flutterbye-demo\.\w+)/), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: String(work.1)))
    }
}
