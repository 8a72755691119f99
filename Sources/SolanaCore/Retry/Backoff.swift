/// Exponential backoff, the one retry schedule of the service (RPC rounds, the sender's retries, the indexer's polls
/// after failures): `initial` doubled per retry up to `maximum`, spread by a factor the caller chooses (a random
/// jitter, or one fixed by a job's id so that jobs failing together do not retry together), never under a floor.
public struct Backoff: Sendable, Hashable {
    /// The wait before the first retry (before spreading).
    public var initial: Duration
    /// The longest wait (before spreading).
    public var maximum: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait before retry number `retry` (from 1; less counts as 1): `initial * 2^(retry - 1)`, at most
    /// `maximum`, times `spread` (a non-finite spread counts as 1, a negative one as 0), at least `floor`.
    public func delay(retry: Int, spread: Double = 1, floor: Duration? = nil) -> Duration {
        let exponent = retry <= 1 ? 0 : min(retry - 1, 20)
        let base = min(initial * (1 << exponent), maximum)
        let factor = spread.isFinite ? max(spread, 0) : 1
        return max(base * factor, floor ?? .zero)
    }

    /// A factor in 0.75...1.25 fixed by `seed` and `salt` (a job's id and its retry): the same every time it is asked,
    /// and spread evenly over the range across seeds.
    public static func spread(seed: Int64, salt: Int) -> Double {
        var hash = UInt64(bitPattern: seed) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(truncatingIfNeeded: salt) &* 0xBF58_476D_1CE4_E5B9
        hash ^= hash >> 31
        return 0.75 + Double(hash % 1001) / 2000
    }
}
