/// A token bucket's arithmetic, with the time passed in: at most `perSecond` permits a second on average, in bursts
/// of at most one second's worth. A request for more permits than a burst holds waits for a full bucket and leaves it
/// in debt, so the average rate holds whatever the batch size.
struct TokenBucket: Sendable {
    let perSecond: Double
    let capacity: Double
    private(set) var tokens: Double
    private(set) var updated: ContinuousClock.Instant

    /// A full bucket at `now`. The rate is kept within 0.001...1e12 (NaN counts as 0.001), so the arithmetic stays
    /// finite.
    init(perSecond: Double, now: ContinuousClock.Instant) {
        let rate = perSecond.isNaN ? 0.001 : min(max(perSecond, 0.001), 1e12)
        self.perSecond = rate
        self.capacity = max(1, rate)
        self.tokens = capacity
        self.updated = now
    }

    /// Takes `permits` at `now` and returns how long the caller waits before using them (zero when the bucket had
    /// them). Later callers wait behind it: the permits are taken at once.
    mutating func reserve(_ permits: Int, at now: ContinuousClock.Instant) -> Duration {
        if now > updated {
            let elapsed = now - updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(capacity, tokens + perSecond * seconds)
            updated = now
        }
        let wanted = Double(max(0, permits))
        let needed = min(wanted, capacity)
        let wait = tokens >= needed ? 0 : (needed - tokens) / perSecond
        tokens -= wanted
        // At most a day (a debt that large means a caller asked for absurd batches), so the conversion cannot trap.
        return .nanoseconds(Int64(min(wait, 86_400) * 1e9))
    }
}

/// A per-endpoint rate limit on JSON-RPC calls (`RPCEndpoint.requestsPerSecond`, or `sendsPerSecond` for
/// sendTransaction calls): the client reserves a permit per call before each HTTP request, a batch's calls included.
actor CallRateLimiter {
    private var bucket: TokenBucket

    init(perSecond: Double) {
        bucket = TokenBucket(perSecond: perSecond, now: .now)
    }

    /// Takes `permits` now and returns how long to wait before sending.
    func reserve(_ permits: Int) -> Duration {
        bucket.reserve(permits, at: .now)
    }
}

/// What one HTTP request costs against the rate limits: its JSON-RPC calls, and the sendTransaction calls among them.
struct CallCount: Sendable {
    let calls: Int
    let sends: Int

    init(_ methods: some Sequence<String>) {
        var calls = 0, sends = 0
        for method in methods {
            calls += 1
            if method == "sendTransaction" { sends += 1 }
        }
        self.calls = calls
        self.sends = sends
    }
}
