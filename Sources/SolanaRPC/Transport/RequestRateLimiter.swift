/// A token bucket: at most `perSecond` requests a second on average, in bursts of at most one second's worth.
actor RequestRateLimiter {
    private let perSecond: Double
    private let capacity: Double
    private var tokens: Double
    private var updated: ContinuousClock.Instant

    init(perSecond: Double) {
        self.perSecond = max(perSecond, 0.001)
        self.capacity = max(1, perSecond)
        self.tokens = max(1, perSecond)
        self.updated = .now
    }

    /// Waits until a request may be sent.
    func acquire() async {
        while true {
            let now = ContinuousClock.now
            let elapsed = now - updated
            tokens = min(capacity, tokens + perSecond * (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            updated = now
            if tokens >= 1 {
                tokens -= 1
                return
            }
            let wait = (1 - tokens) / perSecond
            try? await Task.sleep(for: .milliseconds(Int64(wait * 1000) + 1))
        }
    }
}
