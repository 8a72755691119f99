import HTTPTypes
public import Hummingbird

/// Rate-limits the routes it guards per API caller (after `BearerTokenMiddleware`) with a `TokenBucket` each:
/// over the limit, 429 with `Retry-After` in whole seconds.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext

    /// Requests a caller may make at once, and how fast that allowance comes back.
    public struct Limit: Sendable, Hashable {
        public var burst: Int
        public var perSecond: Double

        public init(burst: Int, perSecond: Double) {
            self.burst = max(1, burst)
            self.perSecond = max(perSecond, 0.001)
        }
    }

    let limit: Limit
    /// Each caller's bucket, by token position.
    let buckets: SharedTokenBuckets<Int>

    public init(limit: Limit) {
        self.limit = limit
        self.buckets = SharedTokenBuckets(TokenBuckets(capacity: limit.burst, perSecond: limit.perSecond))
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let wait = buckets.take(context.caller?.tokenIndex ?? -1) {
            throw Self.refusal(after: wait) { retryAfter in
                "too many requests with this API token (at most \(limit.burst) at once, \(limit.perSecond) a second); retry in \(retryAfter) s"
            }
        }
        return try await next(request, context)
    }

    /// The 429 for a request over a limit, `wait` before a token is there: `Retry-After` in whole seconds (at least
    /// 1), and `message` given those seconds.
    static func refusal(after wait: Duration, _ message: (Int64) -> String) -> APIError {
        let (seconds, attoseconds) = wait.components
        let retryAfter = max(1, seconds + (attoseconds > 0 ? 1 : 0))
        return APIError(.tooManyRequests, code: "rate_limited", message(retryAfter), headers: [.retryAfter: "\(retryAfter)"])
    }
}
