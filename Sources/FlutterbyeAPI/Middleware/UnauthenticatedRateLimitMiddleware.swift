public import Hummingbird

/// Rate-limits the requests that present no valid API token — health, readiness, metrics, the OpenAPI document, and
/// any request whose token is missing or wrong — per client address (`ClientAddress`), with a `TokenBucket` each:
/// over the limit, 429 with `Retry-After`. A caller with a valid token passes (the write routes limit it per token).
/// The address is the TCP peer's: behind a proxy every client shares the proxy's.
public struct UnauthenticatedRateLimitMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext

    let authentication: BearerTokenMiddleware
    let limit: RateLimitMiddleware.Limit
    let buckets: SharedTokenBuckets<ClientAddress>

    public init(limit: RateLimitMiddleware.Limit, authentication: BearerTokenMiddleware) {
        self.limit = limit
        self.authentication = authentication
        self.buckets = SharedTokenBuckets(TokenBuckets(capacity: limit.burst, perSecond: limit.perSecond))
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if case .success = authentication.authenticate(request) {
            return try await next(request, context)
        }
        if let wait = buckets.take(ClientAddress(context.remoteAddress)) {
            throw RateLimitMiddleware.refusal(after: wait) { retryAfter in
                "too many requests without a valid API token from this address (at most \(limit.burst) at once, \(limit.perSecond) a second); retry in \(retryAfter) s"
            }
        }
        return try await next(request, context)
    }
}
