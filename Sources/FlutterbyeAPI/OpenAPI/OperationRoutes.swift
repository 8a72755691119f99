import HTTPTypes
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime

/// Where each operation generated from the OpenAPI document is served (`registerHandlers(on:)` registers them here):
/// a path under `/v1` on the authenticated group, a `POST` there on the write group (rate-limited per token), any
/// other path on the router itself, so that each route gets exactly the middlewares its hand-written predecessor had.
/// swift-openapi-hummingbird registers the route on the group it is given.
struct OperationRoutes: ServerTransport {
    let router: Router<APIRequestContext>
    /// `/v1`, behind `BearerTokenMiddleware`.
    let reads: RouterGroup<APIRequestContext>
    /// `/v1` too, behind `RateLimitMiddleware` as well.
    let writes: RouterGroup<APIRequestContext>

    func register(
        _ handler: @escaping @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
        method: HTTPRequest.Method, path: String
    ) throws {
        let prefix = "/v1/"
        guard path.hasPrefix(prefix) else {
            router.register(handler, method: method, path: path)
            return
        }
        let rest = String(path.dropFirst(prefix.count))
        (method == .post ? writes : reads).register(handler, method: method, path: rest)
    }
}
