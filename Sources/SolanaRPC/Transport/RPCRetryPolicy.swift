import SolanaCore

/// How the client retries: transient failures (network, timeouts, 429, 5xx, node behind) move to the next
/// endpoint at once; after every endpoint failed, it waits with exponential backoff and jitter (at least the
/// Retry-After a 429 asked for) and goes round again, up to `maxAttempts` requests in all.
public struct RPCRetryPolicy: Sendable, Hashable {
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    /// The longest Retry-After the client waits out itself; a longer one ends the call at once with the 429 (or 503)
    /// error, whose `retryAfter` tells the caller when to come back (the worker's job backoff honours it).
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 6, initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5),
        maxRetryAfter: Duration = RetryAfter.maximum
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// The wait before round `round` (1 = after the first full round), with ±50% jitter, at least `floor`.
    func backoff(round: Int, floor: Duration?) -> Duration {
        Backoff(initial: initialBackoff, maximum: maxBackoff).delay(retry: round, spread: Double.random(in: 0.5...1.5), floor: floor)
    }
}
