import FlutterbyeTestSupport
public import Foundation
import SolanaCore

/// Headless Chromium (Debian's `chromium`, which `Tests/Support/chromium.sh` installs and `Tests/run` names in
/// `FLUTTERBYE_CHROMIUM`) started for one test: a profile directory of its own, DevTools on a free loopback port, its
/// output in a log whose tail a failing test shows. `withPage` opens a tab and drives it (`DevToolsPage`).
public final class HeadlessChromium: @unchecked Sendable {
    public let process: Process
    /// The browser's DevTools endpoint (`ws://127.0.0.1:<port>/devtools/browser/<id>`).
    public let browserURL: String
    let profile: URL
    let log: URL

    private init(process: Process, browserURL: String, profile: URL, log: URL) {
        self.process = process
        self.browserURL = browserURL
        self.profile = profile
        self.log = log
    }

    /// The Chromium to run: `FLUTTERBYE_CHROMIUM`, else `chromium` in /usr/bin; nil when there is none.
    public static var executable: String? {
        if let path = ProcessInfo.processInfo.environment["FLUTTERBYE_CHROMIUM"], !path.isEmpty { return path }
        return ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// What to do when there is no Chromium.
    public static let missing =
        "headless Chromium is missing: run Tests/run (it installs Debian's chromium package as root), or apt-get install chromium"

    /// Starts Chromium with a `width` by `height` window and waits (up to `limit`) for its DevTools endpoint.
    public static func launch(width: Int = 1280, height: Int = 1000, within limit: Duration = .seconds(120)) async throws -> HeadlessChromium {
        guard let executable else { throw TestSupportError(missing) }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("flutterbye-chromium-\(UUID())")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        let log = profile.appendingPathComponent("chromium.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        // No sandbox: it cannot start as root, nor in containers without user namespaces (CI); the only page loaded
        // is the test's own.
        process.arguments = [
            "--headless", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--mute-audio", "--hide-scrollbars",
            "--no-sandbox", "--remote-debugging-port=0", "--user-data-dir=\(profile.path)", "--window-size=\(width),\(height)",
            // The WebSocket client sends this Origin; DevTools refuses any origin not allowed here.
            "--remote-allow-origins=ws://127.0.0.1", "about:blank",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // Chromium writes the port it chose and the browser's path into the profile.
        let portFile = profile.appendingPathComponent("DevToolsActivePort")
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline && process.isRunning {
            if let text = try? String(contentsOf: portFile, encoding: .utf8) {
                let lines = text.split(separator: "\n")
                if lines.count >= 2, let port = Int(lines[0]) {
                    return HeadlessChromium(process: process, browserURL: "ws://127.0.0.1:\(port)\(lines[1])", profile: profile, log: log)
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let chromium = HeadlessChromium(process: process, browserURL: "", profile: profile, log: log)
        let tail = chromium.tail()
        await chromium.stop()
        throw TestSupportError("Chromium did not open its DevTools port within \(limit):\n\(tail)")
    }

    /// Opens a tab, attaches to it and runs `body` with it (Page and Runtime events enabled); closes the tab after.
    public func withPage<Value: Sendable>(_ body: @escaping @Sendable (DevToolsPage) async throws -> Value) async throws -> Value {
        try await DevToolsSession.connect(to: browserURL) { devtools in
            let target = try await devtools.send("Target.createTarget", ["url": "about:blank"])
            guard case .string(let targetID) = target["targetId"] else {
                throw DevToolsSession.Failure(description: "Target.createTarget gave no target: \(target)")
            }
            let attached = try await devtools.send("Target.attachToTarget", ["targetId": .string(targetID), "flatten": true])
            guard case .string(let session) = attached["sessionId"] else {
                throw DevToolsSession.Failure(description: "Target.attachToTarget gave no session: \(attached)")
            }
            let page = DevToolsPage(devtools: devtools, session: session)
            try await page.send("Page.enable")
            try await page.send("Runtime.enable")
            let value = try await body(page)
            _ = try? await devtools.send("Target.closeTarget", ["targetId": .string(targetID)], within: .seconds(10))
            return value
        }
    }

    /// The last lines Chromium wrote.
    public func tail(_ lines: Int = 30) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    /// Stops Chromium (SIGTERM, then SIGKILL after 10 s) and removes its profile.
    public func stop() async {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        if !(await ChildProcess.exit(of: process, within: .seconds(10))) {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            _ = await ChildProcess.exit(of: process, within: .seconds(10))
        }
        try? FileManager.default.removeItem(at: profile)
    }
}
