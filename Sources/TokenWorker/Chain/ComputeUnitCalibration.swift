import Synchronization

/// The compute units each transaction shape uses, measured by one simulation per shape and kept for `refreshAfter`
/// (programs change rarely): no job pays a simulation of its own. Concurrent jobs of an uncalibrated shape share one
/// simulation.
public final class ComputeUnitCalibration: Sendable {
    private struct State {
        var units: [TransactionShape: (units: UInt64, at: ContinuousClock.Instant)] = [:]
        var pending: [TransactionShape: Task<UInt64, any Error>] = [:]
    }

    private let state = Mutex(State())
    private let refreshAfter: Duration

    public init(refreshAfter: Duration = .seconds(3600)) {
        self.refreshAfter = refreshAfter
    }

    /// The units calibrated for `shape`, or what `simulate` measures (once for every caller waiting on the shape).
    public func units(
        for shape: TransactionShape, simulate: @escaping @Sendable () async throws(BuildFailure) -> UInt64
    ) async throws(BuildFailure) -> UInt64 {
        let now = ContinuousClock.now
        let (known, task): (UInt64?, Task<UInt64, any Error>?) = state.withLock { state in
            if let entry = state.units[shape], now - entry.at <= refreshAfter { return (entry.units, nil) }
            if let pending = state.pending[shape] { return (nil, pending) }
            let task = Task { () async throws -> UInt64 in try await simulate() }
            state.pending[shape] = task
            return (nil, task)
        }
        if let known { return known }
        guard let task else { throw BuildFailure.transient("the calibration of \(shape) is not available") }
        do {
            let units = try await task.value
            state.withLock { state in
                if state.pending[shape] == task { state.pending[shape] = nil }
                state.units[shape] = (units, .now)
            }
            return units
        } catch {
            state.withLock { if $0.pending[shape] == task { $0.pending[shape] = nil } }
            throw (error as? BuildFailure) ?? BuildFailure.transient("calibrating \(shape) failed: \(error)")
        }
    }

    /// The shapes calibrated so far and their units.
    public var calibrated: [TransactionShape: UInt64] { state.withLock { $0.units.mapValues(\.units) } }
}
