import SolanaRPC
import Synchronization

/// A `TokenBucket` per key (an API caller, a client address), each full on its first request. At most `maxKeys`
/// buckets are kept: past that, buckets that have refilled are forgotten (a full bucket is what a new one would be),
/// then, if need be, the fullest. A plain value: the caller keeps the time.
public struct TokenBuckets<Key: Hashable & Sendable>: Sendable {
    public let capacity: Int
    public let perSecond: Double
    public let maxKeys: Int
    private var buckets: [Key: TokenBucket] = [:]

    public init(capacity: Int, perSecond: Double, maxKeys: Int = 10_000) {
        self.capacity = max(1, capacity)
        self.perSecond = max(perSecond, 0.001)
        self.maxKeys = max(1, maxKeys)
    }

    /// The number of buckets kept.
    public var count: Int { buckets.count }

    /// Takes a token from `key`'s bucket (nil), or returns how long until it has one.
    public mutating func take(_ key: Key, now: ContinuousClock.Instant) -> Duration? {
        if buckets[key] == nil, buckets.count >= maxKeys { makeRoom(now: now) }
        var bucket = buckets[key] ?? TokenBucket(capacity: capacity, perSecond: perSecond, now: now)
        let wait = bucket.take(now: now)
        buckets[key] = bucket
        return wait
    }

    private mutating func makeRoom(now: ContinuousClock.Instant) {
        buckets = buckets.filter { $0.value.available(at: now) < Double(capacity) }
        if buckets.count >= maxKeys, let fullest = buckets.max(by: { $0.value.available(at: now) < $1.value.available(at: now) }) {
            buckets.removeValue(forKey: fullest.key)
        }
    }
}

/// `TokenBuckets` that concurrent requests share.
final class SharedTokenBuckets<Key: Hashable & Sendable>: Sendable {
    private let buckets: Mutex<TokenBuckets<Key>>

    init(_ buckets: TokenBuckets<Key>) {
        self.buckets = Mutex(buckets)
    }

    /// Takes a token from `key`'s bucket now (nil), or returns how long until it has one.
    func take(_ key: Key) -> Duration? {
        let now = ContinuousClock.now
        return buckets.withLock { $0.take(key, now: now) }
    }
}
