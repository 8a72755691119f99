import Crypto
import HTTPTypes
public import Hummingbird
import Logging
import SolanaCore

/// Lets a request through only with `Authorization: Bearer <token>` naming one of the configured API tokens,
/// compared in constant time, or, on a WebSocket upgrade without that header (a browser cannot set it there), with the
/// token offered in `Sec-WebSocket-Protocol` (`WebSocketTokenOffer`); otherwise answers 401 (with `WWW-Authenticate`).
/// The accepted caller goes into the context. Tokens never reach logs or answers, and are never read from the URL.
public struct BearerTokenMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext

    let tokens: [[UInt8]]
    let fingerprints: [String]

    /// `tokens`: every accepted token (several allow rotating one without downtime).
    public init(tokens: [String]) {
        self.tokens = tokens.map { Array($0.utf8) }
        self.fingerprints = tokens.map { Hex.encode(SHA256.hash(data: Array($0.utf8)).prefix(4)) }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let caller = try authenticate(request).get()
        var context = context
        context.caller = caller
        // The request's log lines say which token called (its position and fingerprint), never the token.
        context.logger[metadataKey: "caller"] = "token \(caller.tokenIndex + 1) (\(caller.fingerprint))"
        return try await next(request, context)
    }

    /// The caller a request names: by its `Authorization` header when it has one; else, on a WebSocket upgrade
    /// (`Upgrade: websocket`), by the token its `Sec-WebSocket-Protocol` offers; or the 401 it gets.
    func authenticate(_ request: Request) -> Result<APICaller, APIError> {
        if let header = request.headers[.authorization] { return authenticate(header) }
        guard request.headers[.upgrade]?.lowercased().contains("websocket") == true else { return authenticate(nil as String?) }
        let offer = WebSocketTokenOffer(headerValues: request.headers[values: .secWebSocketProtocol])
        if let problem = offer.problem { return .failure(Self.unauthorized(problem)) }
        guard let token = offer.token else { return authenticate(nil as String?) }
        guard offer.offersStreamProtocol else {
            return .failure(
                Self.unauthorized(
                    "offer the subprotocol \(WebSocketTokenOffer.streamProtocol) beside \(WebSocketTokenOffer.tokenPrefix)<token>: the server answers with it"
                ))
        }
        return authenticate(presented: token)
    }

    /// The caller an `Authorization` header names, or the 401 it gets.
    func authenticate(_ header: String?) -> Result<APICaller, APIError> {
        guard let header else {
            return .failure(
                Self.unauthorized(
                    "this route needs an API token: send Authorization: Bearer <API_TOKEN> (on a WebSocket, or the subprotocols \(WebSocketTokenOffer.streamProtocol) and \(WebSocketTokenOffer.tokenPrefix)<the token in base64url>)"
                ))
        }
        let scheme = "bearer "
        guard header.utf8.count > scheme.utf8.count, header.prefix(scheme.count).lowercased() == scheme else {
            return .failure(Self.unauthorized("the Authorization header must be Bearer <API_TOKEN>"))
        }
        return authenticate(presented: Array(header.utf8.dropFirst(scheme.utf8.count)))
    }

    /// The caller whose token `presented` is, or the 401 it gets.
    func authenticate(presented: [UInt8]) -> Result<APICaller, APIError> {
        var match: Int?
        // Every token is compared, each in constant time, so the time taken tells nothing about which matched.
        for (index, token) in tokens.enumerated() where Self.constantTimeEqual(presented, token) && match == nil {
            match = index
        }
        guard let index = match else { return .failure(Self.unauthorized("the API token is not valid")) }
        return .success(APICaller(tokenIndex: index, fingerprint: fingerprints[index]))
    }

    /// Compares two byte strings in time that depends only on their lengths, not on where they differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0 && a.count == b.count
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, code: "unauthorized", message, headers: [.wwwAuthenticate: "Bearer"])
    }
}
