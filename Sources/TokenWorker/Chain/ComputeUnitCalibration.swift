import Synchronization

/// The compute units each transaction shape uses, measured by one simulation per shape and kept for `refreshAfter`
/// (programs change rarely): no job pays a simulation of its own. Concurrent jobs of an uncalibrated shape share one
/// simulation.
///
/// What transactions of one shape still differ in is the associated token account's bump search: the ATA program
/// tries bumps from 255 down, at `Measurement.unitsPerBump` each, so a job whose address needs more tries than the
/// simulated one needs more units. A measurement keeps the units without the search; `units(forBumpTries:)` adds a
/// job's own.
public final class ComputeUnitCalibration: Sendable {
    /// A simulated transaction's units, split into what every transaction of its shape uses and the bump search.
    public struct Measurement: Sendable, Hashable {
        /// The units of a transaction of the shape whose bump is found at the first try.
        public var baseUnits: UInt64

        /// The compute units one bump try costs (the runtime's `create_program_address_units`).
        public static let unitsPerBump: UInt64 = 1_500

        /// The measurement of a simulation that used `units` with `bumpTries` tries of the search.
        public init(units: UInt64, bumpTries: Int) {
            let search = Self.unitsPerBump * UInt64(min(max(bumpTries - 1, 0), 255))
            baseUnits = units > search ? units - search : 0
        }

        /// The units of a transaction of the shape whose search takes `bumpTries` tries.
        public func units(forBumpTries bumpTries: Int) -> UInt64 {
            baseUnits + Self.unitsPerBump * UInt64(min(max(bumpTries - 1, 0), 255))
        }

        /// How many tries the search takes to find `bump`: one for 255, two for 254, ...
        public static func tries(bump: UInt8) -> Int { 256 - Int(bump) }
    }

    private struct State {
        var measurements: [TransactionShape: (measurement: Measurement, at: ContinuousClock.Instant)] = [:]
        var pending: [TransactionShape: Task<Measurement, any Error>] = [:]
    }

    private let state = Mutex(State())
    private let refreshAfter: Duration

    public init(refreshAfter: Duration = .seconds(3600)) {
        self.refreshAfter = refreshAfter
    }

    /// The measurement of `shape`, or what `simulate` measures (once for every caller waiting on the shape).
    public func measurement(
        for shape: TransactionShape, simulate: @escaping @Sendable () async throws(BuildFailure) -> Measurement
    ) async throws(BuildFailure) -> Measurement {
        let now = ContinuousClock.now
        let (known, task): (Measurement?, Task<Measurement, any Error>?) = state.withLock { state in
            if let entry = state.measurements[shape], now - entry.at <= refreshAfter { return (entry.measurement, nil) }
            if let pending = state.pending[shape] { return (nil, pending) }
            let task = Task { () async throws -> Measurement in try await simulate() }
            state.pending[shape] = task
            return (nil, task)
        }
        if let known { return known }
        guard let task else { throw BuildFailure.transient("the calibration of \(shape) is not available") }
        do {
            let measurement = try await task.value
            state.withLock { state in
                if state.pending[shape] == task { state.pending[shape] = nil }
                state.measurements[shape] = (measurement, .now)
            }
            return measurement
        } catch {
            state.withLock { if $0.pending[shape] == task { $0.pending[shape] = nil } }
            throw (error as? BuildFailure) ?? BuildFailure.transient("calibrating \(shape) failed: \(error)")
        }
    }

    /// The shapes calibrated so far and their measurements.
    public var calibrated: [TransactionShape: Measurement] { state.withLock { $0.measurements.mapValues(\.measurement) } }
}
