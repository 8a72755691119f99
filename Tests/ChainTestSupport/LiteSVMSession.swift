import FlutterbyeTestSupport
import Foundation
public import SolanaCore

/// A running `Tests/LocalChain/litesvm_session.py`: a LiteSVM chain with the real token programs, driven over
/// JSON lines. One session per test; it ends when the value is released.
public final class LiteSVMSession {
    /// The session could not be started, ended, or refused a request.
    public struct SessionError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The Python with solders installed: `FLUTTERBYE_PYTHON` (set by `Tests/run`), else the repo's `.venv`.
    public static var python: String? {
        if let configured = ProcessInfo.processInfo.environment["FLUTTERBYE_PYTHON"], !configured.isEmpty { return configured }
        let venv = Repository.root.appendingPathComponent(".venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }

    /// Whether the tests can run: the Python is there, or we are in CI (where its absence must fail, not skip).
    public static var isAvailable: Bool { python != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer: [UInt8] = []

    private init() {}

    /// Starts a session: Python and LiteSVM take a second or more to start, waited for off Swift's cooperative pool
    /// (`ChildProcess.firstLine`), so other tests of the process go on meanwhile. Its requests are quick and answered
    /// in line.
    public static func start() async throws -> LiteSVMSession {
        guard let python = Self.python else {
            throw SessionError(description: "no Python with solders: run `Tests/run` (it creates .venv) or set FLUTTERBYE_PYTHON")
        }
        let session = LiteSVMSession()
        session.process.executableURL = URL(fileURLWithPath: python)
        session.process.arguments = [Repository.root.appendingPathComponent("Tests/LocalChain/litesvm_session.py").path]
        session.process.standardInput = session.input
        session.process.standardOutput = session.output
        try session.process.run()
        // The session prints its ready line and then waits for a request: nothing follows it unread.
        guard let line = await ChildProcess.firstLine(of: session.output.fileHandleForReading) else {
            throw SessionError(description: "LiteSVM session ended unexpectedly (is solders installed?)")
        }
        let ready = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
        guard ready?["ready"] as? Bool == true else {
            throw SessionError(description: "LiteSVM session did not start: \(String(decoding: line, as: UTF8.self))")
        }
        return session
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    private func readResponse() throws -> [String: Any] {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    throw SessionError(description: "LiteSVM session answered something that is not a JSON object")
                }
                return object
            }
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw SessionError(description: "LiteSVM session ended unexpectedly (is solders installed?)") }
            buffer.append(contentsOf: chunk)
        }
    }

    /// Sends one request and returns the response; an `"ok": false` answer is returned, not thrown.
    public func call(_ request: [String: Any]) throws -> [String: Any] {
        var line = try JSONSerialization.data(withJSONObject: request)
        line.append(UInt8(ascii: "\n"))
        try input.fileHandleForWriting.write(contentsOf: line)
        return try readResponse()
    }

    private func callOK(_ request: [String: Any]) throws -> [String: Any] {
        let response = try call(request)
        guard response["ok"] as? Bool == true else {
            throw SessionError(description: "LiteSVM refused \(request["op"] ?? "?"): \(response["error"] ?? "no reason")")
        }
        return response
    }

    public func airdrop(_ key: PublicKey, lamports: UInt64) throws {
        _ = try callOK(["op": "airdrop", "pubkey": key.base58, "lamports": lamports])
    }

    public func latestBlockhash() throws -> Blockhash {
        try Blockhash(base58: try callOK(["op": "latest_blockhash"])["blockhash"] as? String ?? "")
    }

    public func rentExemptMinimum(space: Int) throws -> UInt64 {
        (try callOK(["op": "rent", "space": space])["lamports"] as? NSNumber)?.uint64Value ?? 0
    }

    /// The outcome of executing a transaction: success with its logs, or the runtime's error and logs.
    public struct Outcome {
        public let succeeded: Bool
        public let signature: String?
        public let error: String?
        public let logs: [String]
    }

    public func send(_ transaction: Transaction) throws -> Outcome {
        let response = try call(["op": "send", "transaction": Data(transaction.serialized()).base64EncodedString()])
        return Outcome(
            succeeded: response["ok"] as? Bool == true, signature: response["signature"] as? String,
            error: response["error"] as? String, logs: response["logs"] as? [String] ?? [])
    }

    /// An account's owner and data, or nil when it does not exist.
    public func account(_ key: PublicKey) throws -> (owner: PublicKey, lamports: UInt64, data: [UInt8])? {
        let response = try callOK(["op": "account", "pubkey": key.base58])
        guard response["exists"] as? Bool == true else { return nil }
        let data = Data(base64Encoded: response["data"] as? String ?? "") ?? Data()
        return (try PublicKey(base58: response["owner"] as? String ?? ""), (response["lamports"] as? NSNumber)?.uint64Value ?? 0, Array(data))
    }
}
