import HTTPTypes
public import Hummingbird
import Synchronization

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

    /// Each caller's bucket, by token position.
    final class Buckets: Sendable {
        let byCaller = Mutex<[Int: TokenBucket]>([:])
    }

    let limit: Limit
    let buckets = Buckets()

    public init(limit: Limit) {
        self.limit = limit
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let key = context.caller?.tokenIndex ?? -1
        let now = ContinuousClock.now
        let wait = buckets.byCaller.withLock { buckets in
            var bucket = buckets[key] ?? TokenBucket(capacity: limit.burst, perSecond: limit.perSecond, now: now)
            let wait = bucket.take(now: now)
            buckets[key] = bucket
            return wait
        }
        if let wait {
            let (seconds, attoseconds) = wait.components
            let retryAfter = max(1, seconds + (attoseconds > 0 ? 1 : 0))
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                "too many requests with this API token (at most \(limit.burst) at once, \(limit.perSecond) a second); retry in \(retryAfter) s",
                headers: [.retryAfter: "\(retryAfter)"])
        }
        return try await next(request, context)
    }
}
