import SolanaCore
import Testing
import TokenWorker

/// How often the worker polls and refreshes, from the slot time and the RPC's rate limit; and the transaction shapes
/// that share a compute-unit calibration.
@Suite struct SenderPacingTests {
    @Test func pollsOnceASlotWithinBoundsAndSlowerUnderARateLimit() {
        #expect(SenderPacing.statusPollInterval(slotTime: .milliseconds(100), requestsPerSecond: nil, configured: nil) == .milliseconds(100))
        #expect(SenderPacing.statusPollInterval(slotTime: nil, requestsPerSecond: nil, configured: nil) == .milliseconds(200), "until measured")
        #expect(SenderPacing.statusPollInterval(slotTime: .milliseconds(5), requestsPerSecond: nil, configured: nil) == .milliseconds(50))
        #expect(SenderPacing.statusPollInterval(slotTime: .seconds(9), requestsPerSecond: nil, configured: nil) == .seconds(1))
        #expect(SenderPacing.statusPollInterval(slotTime: .milliseconds(100), requestsPerSecond: 20, configured: nil) == .milliseconds(250))
        #expect(SenderPacing.statusPollInterval(slotTime: .milliseconds(100), requestsPerSecond: 1e-300, configured: nil) == .seconds(60))
        #expect(SenderPacing.statusPollInterval(slotTime: .milliseconds(100), requestsPerSecond: .nan, configured: nil) == .milliseconds(100))
        #expect(SenderPacing.statusPollInterval(slotTime: nil, requestsPerSecond: 20, configured: .milliseconds(40)) == .milliseconds(40))
    }

    @Test func theBlockhashIsReadEveryFifteenSlotsWithinBounds() {
        #expect(SenderPacing.blockhashRefreshInterval(slotTime: .milliseconds(100)) == .milliseconds(1_500))
        #expect(SenderPacing.blockhashRefreshInterval(slotTime: .milliseconds(400)) == .seconds(2))
        #expect(SenderPacing.blockhashRefreshInterval(slotTime: .milliseconds(5)) == .milliseconds(200))
        #expect(SenderPacing.blockhashMaxAge(slotTime: .milliseconds(100)) == .seconds(3))
    }

    static let recipient = try! Keypair(seed: [UInt8](repeating: 5, count: 32)).publicKey

    static func plan(name: String, symbol: String = "S", uri: String, memo: String? = nil, program: String = "token-2022") -> TokenCreationPlan {
        try! TokenCreationPlan(
            program: program == "token" ? .token : .token2022, decimals: 0, name: name, symbol: symbol, uri: uri, amount: 1, recipient: recipient,
            memo: memo)
    }

    @Test func jobsOfSimilarSizesShareAShapeAndItsLargestBoundsThemAll() {
        let small = TransactionShape(Self.plan(name: "a", uri: "u"), metaplexMetadata: false)
        let larger = TransactionShape(
            Self.plan(name: String(repeating: "n", count: 20), uri: String(repeating: "u", count: 40)), metaplexMetadata: false)
        #expect(small == larger, "3 and 61 metadata bytes are in the same 64-byte bucket")
        #expect(small.metadataBytes == 64 && small.memoBytes == 0)
        #expect(TransactionShape(Self.plan(name: "a", uri: String(repeating: "u", count: 70)), metaplexMetadata: false).metadataBytes == 128)
        #expect(TransactionShape(Self.plan(name: "a", uri: "u", program: "token"), metaplexMetadata: false) != small)
        #expect(TransactionShape(Self.plan(name: "a", uri: "u"), metaplexMetadata: true) != small)
        #expect(TransactionShape(Self.plan(name: "a", uri: "u", memo: "m"), metaplexMetadata: false).memoBytes == 128)

        let plan = Self.plan(name: "a", uri: "u", memo: "m")
        let shape = TransactionShape(plan, metaplexMetadata: false)
        let largest = shape.largest(of: plan)
        #expect(largest.name.utf8.count + largest.symbol.utf8.count + largest.uri.utf8.count == 64)
        #expect(largest.memo?.utf8.count == 128)
        #expect(TransactionShape(largest, metaplexMetadata: false) == shape, "the largest is still of the shape")
        // The top bucket fills every field to its limit, never past it (the size limit: TransactionShapeSizeTests).
        let full = Self.plan(
            name: String(repeating: "n", count: 30), symbol: "SYM", uri: String(repeating: "u", count: 195), memo: String(repeating: "m", count: 100))
        let top = TransactionShape(full, metaplexMetadata: false)
        let grown = top.largest(of: full)
        #expect(top.metadataBytes == 242 && grown.uri.utf8.count == 200 && grown.name.utf8.count == 32 && grown.symbol.utf8.count == 10)
        #expect(grown.memo?.utf8.count == 128)
        #expect(
            (try? TokenCreationPlan(
                program: .token2022, decimals: 0, name: grown.name, symbol: grown.symbol, uri: grown.uri, amount: 1, recipient: Self.recipient,
                memo: grown.memo)) != nil, "still a valid job")
    }
}

/// Rent for every size from two answers, as the runtime's linear rule gives it.
@Suite struct RentScheduleTests {
    @Test func theRuntimesRuleGivesEverySize() throws {
        // Solana's answers (getMinimumBalanceForRentExemption): 0 bytes 890,880; 82 (a mint) 1,461,600; 165 (a token
        // account) 2,039,280; 1,024 bytes 8,017,920.
        let schedule = try #require(RentSchedule(emptyAccount: 890_880, sampleSpace: 1_024, sampleRent: 8_017_920))
        #expect(schedule.minimumBalance(space: 0) == 890_880)
        #expect(schedule.minimumBalance(space: 82) == 1_461_600)
        #expect(schedule.minimumBalance(space: 165) == 2_039_280)
        #expect(schedule.minimumBalance(space: -5) == 890_880)
        #expect(schedule.minimumBalance(space: Int.max) == .max, "clamped, never a trap")
    }

    @Test func answersThatAreNotLinearGiveNoSchedule() {
        #expect(RentSchedule(emptyAccount: 890_880, sampleSpace: 1_024, sampleRent: 8_017_921) == nil)
        #expect(RentSchedule(emptyAccount: 890_880, sampleSpace: 1_024, sampleRent: 1) == nil)
        #expect(RentSchedule(emptyAccount: 0, sampleSpace: 0, sampleRent: 5) == nil)
    }
}

/// A shape's calibration without the associated token account's bump search, and a job's search added back: one try
/// costs 1,500 units (measured in LiteSVM: 13,525 units for one try, then 1,500 more for each: 15,025, 16,525, ...).
@Suite struct CalibrationMeasurementTests {
    @Test func theBumpSearchIsTakenOutAndEachJobsAddedBack() {
        let measured = ComputeUnitCalibration.Measurement(units: 16_525, bumpTries: 3)
        #expect(measured.baseUnits == 13_525)
        #expect(measured.units(forBumpTries: 1) == 13_525)
        #expect(measured.units(forBumpTries: 11) == 28_525)
        #expect(ComputeUnitCalibration.Measurement.tries(bump: 255) == 1 && ComputeUnitCalibration.Measurement.tries(bump: 245) == 11)
        #expect(ComputeUnitCalibration.Measurement(units: 100, bumpTries: 9).baseUnits == 0, "never below zero")
        #expect(ComputeUnitCalibration.Measurement(units: 1_000, bumpTries: 1_000).units(forBumpTries: 1_000) >= 1_000, "clamped, never a trap")
    }

    /// `unitsConsumed` is the RPC node's answer to a simulation, a u64 it may give whole: a shape calibrated at the
    /// largest one still gives a job with a longer bump search its units (clamped), not a trap.
    @Test func unitsNearTheTopOfU64FromASimulationAreClampedNotATrap() {
        let measured = ComputeUnitCalibration.Measurement(units: .max, bumpTries: 1)
        #expect(measured.units(forBumpTries: 1) == .max)
        #expect(measured.units(forBumpTries: 2) == .max)
        #expect(measured.units(forBumpTries: 256) == .max)
        #expect(SenderPolicy().computeUnitLimit(simulatedUnits: measured.units(forBumpTries: 256)) == SenderPolicy.maxComputeUnits)
    }
}
