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
        var calls = 0
        var sends = 0
        for method in methods {
            calls += 1
            if method == "sendTransaction" { sends += 1 }
        }
        self.calls = calls
        self.sends = sends
    }
}
