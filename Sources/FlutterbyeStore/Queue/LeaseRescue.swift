/// What one rescue of expired leases did: how many jobs became retryable, and how many failed (never submitted, their
/// attempts used up). Both carry the error class `lease_expired`.
public struct LeaseRescue: Sendable, Hashable {
    public var retried: Int
    public var failed: Int

    public init(retried: Int, failed: Int) {
        self.retried = retried
        self.failed = failed
    }

    /// Every job rescued.
    public var count: Int { retried + failed }
}
