import SolanaCore

/// The sender's pure decisions, without I/O: the compute-unit limit from a simulation, the priority fee from recent
/// fees, and the backoff before a retry.
public struct SenderPolicy: Sendable, Hashable {
    /// The limit is the simulated units times this factor, plus `computeUnitHeadroom`.
    public var computeUnitMargin: Double
    public var computeUnitHeadroom: UInt32
    /// Which percentile of recent prioritization fees to pay (0...100).
    public var priorityFeePercentile: Int
    /// Never pay more than this per compute unit, in micro-lamports.
    public var maxPriorityFee: UInt64
    /// Pay at least this per compute unit, in micro-lamports.
    public var minPriorityFee: UInt64
    /// Retry backoff: `initialBackoff * 2^(attempt-1)`, at most `maxBackoff`, with ±25% jitter.
    public var initialBackoff: Duration
    public var maxBackoff: Duration

    public init(
        computeUnitMargin: Double = 1.2, computeUnitHeadroom: UInt32 = 5_000, priorityFeePercentile: Int = 75,
        maxPriorityFee: UInt64 = 1_000_000, minPriorityFee: UInt64 = 0, initialBackoff: Duration = .seconds(1),
        maxBackoff: Duration = .seconds(300)
    ) {
        self.computeUnitMargin = computeUnitMargin
        self.computeUnitHeadroom = computeUnitHeadroom
        self.priorityFeePercentile = priorityFeePercentile
        self.maxPriorityFee = maxPriorityFee
        self.minPriorityFee = minPriorityFee
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// The most compute units a transaction may request.
    public static let maxComputeUnits: UInt32 = 1_400_000

    /// The limit to request for a transaction that used `simulatedUnits` in simulation.
    public func computeUnitLimit(simulatedUnits: UInt64) -> UInt32 {
        let scaled = (Double(simulatedUnits) * computeUnitMargin).rounded(.up)
        let limit = min(Double(Self.maxComputeUnits), scaled + Double(computeUnitHeadroom))
        return UInt32(max(limit, 1))
    }

    /// The price per compute unit: the configured percentile of `recentFees` (zeros included, as the RPC reports
    /// slots without priority fees), clamped to `minPriorityFee...maxPriorityFee`.
    public func priorityFee(recentFees: [UInt64]) -> UInt64 {
        guard !recentFees.isEmpty else { return minPriorityFee }
        let sorted = recentFees.sorted()
        let rank = Int((Double(max(0, min(100, priorityFeePercentile))) / 100 * Double(sorted.count - 1)).rounded(.up))
        return min(maxPriorityFee, max(minPriorityFee, sorted[rank]))
    }

    /// How long to wait before attempt `attempt + 1` after a transient failure (at least `floor`), spread by `jitter`
    /// (clamped to 0.75...1.25; random unless given).
    public func backoff(afterAttempt attempt: Int, floor: Duration? = nil, jitter: Double = Double.random(in: 0.75...1.25)) -> Duration {
        let spread = jitter.isFinite ? min(max(jitter, 0.75), 1.25) : 1
        return Backoff(initial: initialBackoff, maximum: maxBackoff).delay(retry: attempt, spread: spread, floor: floor)
    }
}
