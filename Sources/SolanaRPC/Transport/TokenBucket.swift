import SolanaCore

/// A token bucket's arithmetic, with the time passed in: up to `capacity` permits at once, refilled at `perSecond`.
/// The one rate limiter of the package: the RPC client's per-endpoint call limits (`reserve`, which takes the
/// permits at once and may leave the bucket in debt, so the average rate holds whatever the batch size) and the
/// status API's per-token and per-address limits (`take`, which takes a permit only when there is one).
public struct TokenBucket: Sendable, Hashable {
    public let perSecond: Double
    public let capacity: Double
    public private(set) var tokens: Double
    private(set) var updated: ContinuousClock.Instant

    /// A full bucket at `now` holding `capacity` permits (at least 1). The rate is kept within 0.001...1e12 (NaN counts
    /// as 0.001), so the arithmetic stays finite.
    public init(capacity: Double, perSecond: Double, now: ContinuousClock.Instant) {
        self.perSecond = perSecond.isNaN ? 0.001 : min(max(perSecond, 0.001), 1e12)
        self.capacity = capacity.isNaN ? 1 : min(max(1, capacity), 1e12)
        self.tokens = self.capacity
        self.updated = now
    }

    /// A full bucket holding `capacity` permits.
    public init(capacity: Int, perSecond: Double, now: ContinuousClock.Instant) {
        self.init(capacity: Double(capacity), perSecond: perSecond, now: now)
    }

    /// A full bucket holding one second's worth of permits (at least one).
    public init(perSecond: Double, now: ContinuousClock.Instant) {
        // The capacity is clamped as the rate is (a NaN or a rate under 1 makes it 1).
        self.init(capacity: perSecond, perSecond: perSecond, now: now)
    }

    /// The permits the bucket holds at `now` (it refills up to its capacity).
    public func available(at now: ContinuousClock.Instant) -> Double {
        let elapsed = now - updated
        guard elapsed > .zero else { return tokens }
        return min(capacity, tokens + elapsed.totalSeconds * perSecond)
    }

    /// Takes a permit if there is one (nil), else returns how long until there is one and takes nothing.
    public mutating func take(now: ContinuousClock.Instant) -> Duration? {
        refill(at: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return .nanoseconds(Int64((min((1 - tokens) / perSecond, 86_400) * 1e9).rounded(.up)))
    }

    /// Takes `permits` at `now` and returns how long the caller waits before using them (zero when the bucket had
    /// them). Later callers wait behind it: the permits are taken at once.
    public mutating func reserve(_ permits: Int, at now: ContinuousClock.Instant) -> Duration {
        refill(at: now)
        let wanted = Double(max(0, permits))
        let needed = min(wanted, capacity)
        let wait = tokens >= needed ? 0 : (needed - tokens) / perSecond
        tokens -= wanted
        // At most a day (a debt that large means a caller asked for absurd batches), so the conversion cannot trap.
        return .nanoseconds(Int64(min(wait, 86_400) * 1e9))
    }

    private mutating func refill(at now: ContinuousClock.Instant) {
        guard now > updated else { return }
        tokens = available(at: now)
        updated = now
    }
}
