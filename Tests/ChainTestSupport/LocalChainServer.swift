import FlutterbyeTestSupport
public import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A running `Tests/LocalChain/local_chain.py`: a Solana JSON-RPC server on 127.0.0.1 whose transactions LiteSVM
/// executes with the real token programs. One server per test; it stops when the value is released (its stdin
/// closes, and it is sent SIGTERM), and also when the test process dies (`--exit-on-stdin-eof`).
public final class LocalChainServer: @unchecked Sendable {
    /// The server could not be started or answered something unexpected.
    public struct ServerError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A JSON-RPC error answer; `data` is the error's `data` member as JSON text, if any.
    public struct RPCError: Error, CustomStringConvertible {
        public let code: Int
        public let message: String
        public let data: String?

        public var description: String { "JSON-RPC error \(code): \(message)\(data.map { " \($0)" } ?? "")" }

        /// `data` decoded, e.g. the simulation result of a preflight failure.
        public var dataObject: [String: Any]? {
            guard let data, let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) else { return nil }
            return object as? [String: Any]
        }
    }

    /// An HTTP answer, as received.
    public struct HTTPAnswer {
        public let status: Int
        public let headers: [String: String]
        public let body: Data

        public func header(_ name: String) -> String? {
            headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    /// Whether the server can run: the same rule as the LiteSVM session (the venv's Python, or CI).
    public static var isAvailable: Bool { LiteSVMSession.isAvailable }

    public let url: URL
    public let controlURL: URL
    /// The PubSub (WebSocket) endpoint.
    public let webSocketURL: URL
    private let process: Process
    private let input: Pipe
    private let output: Pipe
    private let session: URLSession
    private let nextID = LocalChainRequestIDs()

    /// The secrets a hosted provider's URL carries, each in its own place: `http://user:password@host:port/v2/pathKey?api-key=apiKey`.
    /// A server started with them answers 401 to a JSON-RPC request without the user and password (basic
    /// authentication) or the API key, and 404 on another path.
    public struct Credentials: Sendable {
        public var user: String
        public var password: String
        public var pathKey: String
        public var apiKey: String

        public init(user: String, password: String, pathKey: String, apiKey: String) {
            self.user = user
            self.password = password
            self.pathKey = pathKey
            self.apiKey = apiKey
        }

        /// The secrets, for a test that looks for them in what the service shows.
        public var secrets: [String] { [password, pathKey, apiKey] }

        var arguments: [String] { ["--rpc-path", "/v2/\(pathKey)", "--basic-auth", "\(user):\(password)", "--api-key", apiKey] }

        /// `address` (`http://127.0.0.1:PORT`) with the credentials in it.
        public func url(_ address: URL) -> URL? {
            guard var components = URLComponents(url: address, resolvingAgainstBaseURL: false) else { return nil }
            components.user = user
            components.password = password
            components.path = "/v2/\(pathKey)"
            components.queryItems = [URLQueryItem(name: "api-key", value: apiKey)]
            return components.url
        }
    }

    /// Starts a server: `slotMs` per slot, `confirmDepth`/`finalizeDepth` slots to confirmed/finalized; with
    /// `credentials`, `url` carries them and JSON-RPC is served only to requests that present them. Its ready line is
    /// read on a thread of its own (`ChildProcess.firstLine`): a test waiting there for Python to start would hold one
    /// of the cooperative pool's threads (two on CI), and every other test of the process would wait with it.
    public static func start(
        slotMs: Int = 50, confirmDepth: Int = 1, finalizeDepth: Int = 4, seed: Int = 1, arguments: [String] = [],
        credentials: Credentials? = nil
    ) async throws -> LocalChainServer {
        guard let python = LiteSVMSession.python else {
            throw ServerError(description: "no Python with solders: run `Tests/run` (it creates .venv) or set FLUTTERBYE_PYTHON")
        }
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments =
            [
                Repository.root.appendingPathComponent("Tests/LocalChain/local_chain.py").path,
                "--host", "127.0.0.1", "--port", "0", "--exit-on-stdin-eof",
                "--slot-ms", String(slotMs), "--confirm-depth", String(confirmDepth), "--finalize-depth", String(finalizeDepth),
                "--seed", String(seed),
            ] + arguments + (credentials?.arguments ?? [])
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        do {
            guard let line = await ChildProcess.firstLine(of: output.fileHandleForReading) else {
                throw ServerError(description: "local_chain.py ended before it was ready (is solders installed? see its stderr)")
            }
            let ready = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            guard let address = ready?["url"] as? String, let url = URL(string: address),
                let control = ready?["control"] as? String, let controlURL = URL(string: control), let ws = ready?["ws"] as? String,
                let webSocketURL = URL(string: ws)
            else { throw ServerError(description: "local_chain.py printed an unexpected ready line: \(String(decoding: line, as: UTF8.self))") }
            var served = url
            if let credentials {
                guard let secretURL = credentials.url(url) else { throw ServerError(description: "cannot put the credentials into \(url)") }
                served = secretURL
            }
            return LocalChainServer(
                process: process, input: input, output: output, url: served, controlURL: controlURL, webSocketURL: webSocketURL)
        } catch {
            try? input.fileHandleForWriting.close()
            if process.isRunning { process.terminate() }
            ChildProcess.reap(process)
            throw error
        }
    }

    private init(process: Process, input: Pipe, output: Pipe, url: URL, controlURL: URL, webSocketURL: URL) {
        self.process = process
        self.input = input
        self.output = output
        self.url = url
        self.controlURL = controlURL
        self.webSocketURL = webSocketURL
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 15
        session = URLSession(configuration: configuration)
    }

    deinit {
        session.invalidateAndCancel()
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        ChildProcess.reap(process)
    }

    // MARK: HTTP

    /// One HTTP request, answered whatever its status.
    public func http(_ target: URL, method: String = "POST", body: Data? = nil) async throws -> HTTPAnswer {
        var request = URLRequest(url: target)
        request.httpMethod = method
        if let user = target.user(percentEncoded: false), let password = target.password(percentEncoded: false) {
            request.setValue("Basic " + Data("\(user):\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response): (Data, URLResponse) = try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else if let response {
                    continuation.resume(returning: (data ?? Data(), response))
                } else {
                    continuation.resume(throwing: ServerError(description: "no response"))
                }
            }.resume()
        }
        guard let http = response as? HTTPURLResponse else { throw ServerError(description: "not an HTTP response") }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields { headers["\(key)"] = "\(value)" }
        return HTTPAnswer(status: http.statusCode, headers: headers, body: data)
    }

    /// POSTs a JSON value to the JSON-RPC endpoint and returns the decoded answer (object or array).
    public func post(json: Any) async throws -> Any {
        let answer = try await http(url, body: try JSONSerialization.data(withJSONObject: json))
        guard answer.status == 200 else { throw ServerError(description: "HTTP \(answer.status) from the local chain") }
        return try JSONSerialization.jsonObject(with: answer.body, options: [.fragmentsAllowed])
    }

    /// Calls one JSON-RPC method: its `result` (NSNull for null), or a thrown `RPCError`.
    public func call(_ method: String, _ params: [Any] = []) async throws -> Any {
        let id = nextID.next()
        let answer = try await post(json: ["jsonrpc": "2.0", "id": id, "method": method, "params": params] as [String: Any])
        guard let object = answer as? [String: Any] else { throw ServerError(description: "answer is not an object: \(answer)") }
        guard (object["id"] as? NSNumber)?.intValue == id else { throw ServerError(description: "answer has the wrong id: \(object)") }
        if let error = object["error"] as? [String: Any] {
            let data = error["data"].flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed]) }
            throw RPCError(
                code: (error["code"] as? NSNumber)?.intValue ?? 0, message: error["message"] as? String ?? "",
                data: data.map { String(decoding: $0, as: UTF8.self) })
        }
        guard let result = object["result"] else { throw ServerError(description: "answer without result: \(object)") }
        return result
    }

    /// Calls a method whose result is a JSON object.
    public func callObject(_ method: String, _ params: [Any] = []) async throws -> [String: Any] {
        let result = try await call(method, params)
        guard let object = result as? [String: Any] else { throw ServerError(description: "\(method) answered \(result), not an object") }
        return object
    }

    // MARK: Control

    /// Changes faults or the chain (`drop_rate`, `rate_429`, `rate_5xx`, `latency_ms`, `paused`, `advance_slots`);
    /// returns the control state after the change.
    @discardableResult
    public func control(_ update: [String: Any]) async throws -> [String: Any] {
        let answer = try await http(controlURL, body: try JSONSerialization.data(withJSONObject: update))
        guard answer.status == 200, let state = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any] else {
            throw ServerError(description: "control refused \(update): HTTP \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
        }
        return state
    }

    /// The control state: faults, slot, block height and counters.
    public func controlState() async throws -> [String: Any] {
        let answer = try await http(controlURL, method: "GET")
        guard answer.status == 200, let state = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any] else {
            throw ServerError(description: "GET /control answered HTTP \(answer.status)")
        }
        return state
    }
}

/// A thread-safe counter for JSON-RPC ids.
final class LocalChainRequestIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
