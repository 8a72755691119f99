public import SolanaCore

/// The error the RPC client throws: a `code`, whether retrying may help (`isTransient`), and for JSON-RPC errors
/// the node's code, message and data (preflight logs, for instance).
public struct RPCError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The request could not be sent or the connection broke.
        public static let transport = Code("transport")
        /// No answer within the request timeout.
        public static let timeout = Code("timeout")
        /// The endpoint answered 429 Too Many Requests (`retryAfter` holds its Retry-After).
        public static let rateLimited = Code("rateLimited")
        /// The endpoint answered another non-200 HTTP status.
        public static let httpStatus = Code("httpStatus")
        /// The node answered with a JSON-RPC error (`rpcCode`, `message`, `data`).
        public static let rpc = Code("rpc")
        /// The answer was not the JSON the method returns.
        public static let invalidResponse = Code("invalidResponse")
        /// The client was configured wrongly (no endpoint, a malformed URL).
        public static let configuration = Code("configuration")

        public var description: String { name }
    }

    public let code: Code
    public let message: String
    /// The endpoint that failed, as `RPCEndpoint` shows it (scheme, host and port).
    public let endpoint: String?
    /// The HTTP status, for `rateLimited` and `httpStatus`.
    public let httpStatus: Int?
    /// The Retry-After the endpoint asked for, for `rateLimited`.
    public let retryAfter: Duration?
    /// The JSON-RPC error code, for `rpc`.
    public let rpcCode: Int?
    /// The JSON-RPC error's data (e.g. a failed preflight's `err` and `logs`), for `rpc`.
    public let data: JSONValue?

    public init(
        _ code: Code, _ message: String, endpoint: String? = nil, httpStatus: Int? = nil, retryAfter: Duration? = nil,
        rpcCode: Int? = nil, data: JSONValue? = nil
    ) {
        self.code = code
        self.message = message
        self.endpoint = endpoint
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
        self.rpcCode = rpcCode
        self.data = data
    }

    /// Whether the same request may succeed later or on another endpoint: network trouble, timeouts, 429, 5xx,
    /// and the node-side conditions that pass (node behind, slot or block not available yet).
    public var isTransient: Bool {
        switch code {
        case .transport, .timeout, .rateLimited: return true
        case .httpStatus: return (httpStatus ?? 0) >= 500
        case .rpc:
            // -32004 block not available, -32005 node unhealthy/behind, -32007 slot skipped, -32014 status not
            // available yet, -32016 min context slot not reached.
            return [-32004, -32005, -32007, -32014, -32016].contains(rpcCode ?? 0)
        default: return false
        }
    }

    /// The program logs a failed preflight or simulation returned in `data`, if any.
    public var logs: [String] {
        guard case .object(let object)? = data, case .array(let lines)? = object["logs"] else { return [] }
        return lines.compactMap { if case .string(let line) = $0 { line } else { nil } }
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let endpoint { text += " (endpoint \(endpoint))" }
        return text
    }
}
