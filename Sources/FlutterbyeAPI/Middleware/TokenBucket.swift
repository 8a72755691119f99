/// A token bucket: up to `capacity` requests at once, refilled at `perSecond`; a request takes one token or is
/// told how long until one is there. A plain value: the caller keeps the time.
public struct TokenBucket: Sendable, Hashable {
    public let capacity: Double
    public let perSecond: Double
    private(set) var tokens: Double
    private var updated: ContinuousClock.Instant

    public init(capacity: Int, perSecond: Double, now: ContinuousClock.Instant) {
        self.capacity = Double(max(1, capacity))
        self.perSecond = max(perSecond, 0.001)
        self.tokens = self.capacity
        self.updated = now
    }

    /// The tokens the bucket holds at `now` (it refills up to its capacity).
    public func available(at now: ContinuousClock.Instant) -> Double {
        let elapsed = now - updated
        guard elapsed > .zero else { return tokens }
        let (seconds, attoseconds) = elapsed.components
        return min(capacity, tokens + (Double(seconds) + Double(attoseconds) / 1e18) * perSecond)
    }

    /// Takes a token if there is one (nil), else returns how long until there is one.
    public mutating func take(now: ContinuousClock.Instant) -> Duration? {
        if now > updated {
            tokens = available(at: now)
            updated = now
        }
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return .nanoseconds(Int64(((1 - tokens) / perSecond * 1e9).rounded(.up)))
    }
}
