public import Foundation
public import SolanaCore

/// One tab of a headless Chromium, attached over a `DevToolsSession` in flat mode: its commands carry its session id.
/// What tests do with a page: navigate, evaluate JavaScript (the DOM is read through it), wait for a condition,
/// type, capture a screenshot.
public struct DevToolsPage: Sendable {
    public let devtools: DevToolsSession
    public let session: String

    public init(devtools: DevToolsSession, session: String) {
        self.devtools = devtools
        self.session = session
    }

    /// Sends a command to this page.
    @discardableResult
    public func send(_ method: String, _ params: JSONValue = [:], within limit: Duration = .seconds(60)) async throws -> JSONValue {
        try await devtools.send(method, params, session: session, within: limit)
    }

    /// This page's events named `method` so far.
    public func events(named method: String) -> [JSONValue] {
        devtools.events(named: method, session: session)
    }

    /// The value of `expression` (awaited when it is a promise, returned by value); throws what it threw.
    @discardableResult
    public func evaluate(_ expression: String) async throws -> JSONValue {
        let answer = try await send("Runtime.evaluate", ["expression": .string(expression), "returnByValue": true, "awaitPromise": true])
        if let exception = answer["exceptionDetails"] {
            let text = exception["exception"]?["description"] ?? exception["text"] ?? .null
            throw DevToolsSession.Failure(description: "\(expression.prefix(200)) threw: \(text)")
        }
        return answer["result"]?["value"] ?? .null
    }

    /// The string `expression` gives (its JSON text for anything else).
    public func string(_ expression: String) async throws -> String {
        switch try await evaluate(expression) {
        case .string(let text): return text
        case let other: return String(decoding: try JSONEncoder().encode(other), as: UTF8.self)
        }
    }

    /// Evaluates `condition` every 100 ms until it is true or `limit` passes; whether it became true.
    public func waitUntil(_ condition: String, within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await evaluate("Boolean(\(condition))") == .bool(true) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await evaluate("Boolean(\(condition))") == .bool(true)
    }

    /// Loads `url` and waits until its document has loaded (its deferred scripts run).
    public func navigate(to url: String, within limit: Duration = .seconds(60)) async throws {
        try await send("Page.navigate", ["url": .string(url)])
        guard try await waitUntil("document.readyState === 'complete' && location.href === \(Self.literal(url))", within: limit) else {
            throw DevToolsSession.Failure(description: "\(url) did not load within \(limit)")
        }
    }

    /// Types `text` into the focused element, as a keyboard would insert it.
    public func type(_ text: String) async throws {
        try await send("Input.insertText", ["text": .string(text)])
    }

    /// A PNG of the whole page (beyond the window), written to `file`.
    public func screenshot(to file: URL) async throws {
        let answer = try await send("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true])
        guard case .string(let base64) = answer["data"], let png = Data(base64Encoded: base64) else {
            throw DevToolsSession.Failure(description: "Page.captureScreenshot gave no image")
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try png.write(to: file)
    }

    /// `text` as a JavaScript string literal.
    public static func literal(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }
}
