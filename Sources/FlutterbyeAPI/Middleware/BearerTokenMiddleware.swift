import Crypto
import HTTPTypes
public import Hummingbird
import Logging
import SolanaCore

/// Lets a request through only with `Authorization: Bearer <token>` naming one of the configured API tokens,
/// compared in constant time; otherwise answers 401 (with `WWW-Authenticate`). The accepted caller goes into the
/// context. Tokens never reach logs or answers.
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
        let caller = try authenticate(request.headers[.authorization]).get()
        var context = context
        context.caller = caller
        // The request's log lines say which token called (its position and fingerprint), never the token.
        context.logger[metadataKey: "caller"] = "token \(caller.tokenIndex + 1) (\(caller.fingerprint))"
        return try await next(request, context)
    }

    /// The caller an `Authorization` header names, or the 401 it gets.
    func authenticate(_ header: String?) -> Result<APICaller, APIError> {
        guard let header else {
            return .failure(Self.unauthorized("this route needs an API token: send Authorization: Bearer <API_TOKEN>"))
        }
        let scheme = "bearer "
        guard header.utf8.count > scheme.utf8.count, header.prefix(scheme.count).lowercased() == scheme else {
            return .failure(Self.unauthorized("the Authorization header must be Bearer <API_TOKEN>"))
        }
        let presented = Array(header.utf8.dropFirst(scheme.utf8.count))
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
