import SolanaRPC
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

        /// The units of a transaction of the shape whose search takes `bumpTries` tries (at most `UInt64.max`: the
        /// simulation's units are the RPC node's answer, which may be any u64).
        public func units(forBumpTries bumpTries: Int) -> UInt64 {
            let (units, overflow) = baseUnits.addingReportingOverflow(Self.unitsPerBump * UInt64(min(max(bumpTries - 1, 0), 255)))
            return overflow ? .max : units
        }

        /// How many tries the search takes to find `bump`: one for 255, two for 254, ...
        public static func tries(bump: UInt8) -> Int { 256 - Int(bump) }
    }

    private let readings = Mutex<[TransactionShape: SharedReading<Measurement>]>([:])
    private let refreshAfter: Duration

    public init(refreshAfter: Duration = .seconds(3600)) {
        self.refreshAfter = refreshAfter
    }

    /// The measurement of `shape`, or what `simulate` measures (once for every caller waiting on the shape).
    public func measurement(
        for shape: TransactionShape, simulate: @escaping @Sendable () async throws(BuildFailure) -> Measurement
    ) async throws(BuildFailure) -> Measurement {
        let reading = readings.withLock { readings in
            if let reading = readings[shape] { return reading }
            let reading = SharedReading<Measurement>()
            readings[shape] = reading
            return reading
        }
        do {
            return try await reading.value(maxAge: refreshAfter) { try await simulate() }
        } catch {
            throw (error as? BuildFailure) ?? BuildFailure.transient("calibrating \(shape) failed: \(error)")
        }
    }

    /// The shapes calibrated so far and their measurements.
    public var calibrated: [TransactionShape: Measurement] {
        readings.withLock { readings in readings.compactMapValues { $0.latest?.value } }
    }
}
