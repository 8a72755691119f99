@testable import FlutterbyeIndexer
import SolanaCore
@testable import SolanaRPC
import Testing

/// Which signatures a poll must look up in the database before fetching them: only those that can be stored
/// without the schedule knowing it (older than a cursor read from the database, or delivered and forgotten since).
/// What this process delivered or is fetching is skipped without a lookup.
struct PollScheduleTests {
    static func signature(_ n: Int) -> Signature {
        var bytes = [UInt8](repeating: 0, count: 64)
        withUnsafeBytes(of: UInt64(n).littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        bytes[63] = 1
        return try! Signature(bytes: bytes)
    }

    static func entry(_ n: Int, slot: UInt64) -> SignatureInfo {
        SignatureInfo(signature: signature(n), slot: slot, error: nil, memo: nil, blockTime: nil, confirmationStatus: .confirmed)
    }

    static let address = AddressCursor(address: PublicKey.zero, role: .mint)

    @Test func anEmptyIndexLooksNothingUp() async {
        let schedule = PollSchedule(settings: PollingSettings(), addresses: [Self.address])
        let claim = await schedule.claim((0..<10).map { Self.entry($0, slot: UInt64(100 + $0)) })
        #expect(claim.lookUp.isEmpty)
        #expect(claim.claimed.count == 10 && claim.taken.isEmpty)
    }

    @Test func whatIsAsOldAsAStoredCursorIsLookedUp() async {
        var started = Self.address
        started.cursor = SignatureCursor(signature: Self.signature(999), slot: 105)
        let schedule = PollSchedule(settings: PollingSettings(), addresses: [started])
        let claim = await schedule.claim((0..<10).map { Self.entry($0, slot: UInt64(100 + $0)) })
        #expect(claim.lookUp == (0...5).map { Self.signature($0) })

        // An address followed later, with a stored cursor, raises the bound the same way.
        var later = AddressCursor(address: try! PublicKey(bytes: [UInt8](repeating: 7, count: 32)), role: .flbyAccount)
        later.cursor = SignatureCursor(signature: Self.signature(998), slot: 300)
        await schedule.follow([later])
        #expect(await schedule.claim([Self.entry(50, slot: 299)]).lookUp == [Self.signature(50)])
    }

    @Test func deliveredAndInFlightSignaturesAreTakenAndOwnDeliveriesNeedNoLookUp() async {
        let schedule = PollSchedule(settings: PollingSettings(), addresses: [Self.address])
        let first = await schedule.claim((0..<4).map { Self.entry($0, slot: 10) })
        // While the first poll fetches them, another poll of another address skips them.
        let second = await schedule.claim((2..<6).map { Self.entry($0, slot: 10) })
        #expect(second.taken == Set((2..<4).map { Self.signature($0) }))
        #expect(second.claimed == Set((4..<6).map { Self.signature($0) }))
        // Delivered: still skipped after the claims are released, and what this process stored is never looked up,
        // though its cursor advanced past it.
        await schedule.markDelivered((0..<4).map { (Self.signature($0), 10) })
        await schedule.update(PublicKey.zero, cursor: SignatureCursor(signature: Self.signature(3), slot: 10))
        await schedule.release(first.claimed)
        await schedule.release(second.claimed)
        let third = await schedule.claim((0..<6).map { Self.entry($0, slot: 10) })
        #expect(third.taken == Set((0..<4).map { Self.signature($0) }))
        #expect(third.lookUp.isEmpty)
    }

    @Test func forgottenDeliveriesAreLookedUpAgain() async {
        let schedule = PollSchedule(settings: PollingSettings(), addresses: [Self.address], remembered: 10)
        await schedule.markDelivered((0..<10).map { (Self.signature($0), UInt64(20 + $0)) })  // becomes the older set
        #expect(await schedule.storedSlotBound == nil)
        await schedule.markDelivered((10..<20).map { (Self.signature($0), UInt64(40 + $0)) })  // the first ten are forgotten
        #expect(await schedule.storedSlotBound == 29)
        let claim = await schedule.claim([Self.entry(0, slot: 20), Self.entry(15, slot: 55), Self.entry(30, slot: 29), Self.entry(31, slot: 30)])
        #expect(claim.taken == [Self.signature(15)])
        #expect(claim.lookUp == [Self.signature(0), Self.signature(30)])
    }
}

/// What the settling pass tells the schedule: a dropped signature is fetched again when listed; a cursor moved back
/// while its address is polled takes effect when that poll ends, and the address is due at once.
struct PollScheduleRewindTests {
    @Test func aForgottenDeliveryIsClaimedAgain() async {
        let schedule = PollSchedule(settings: PollingSettings(), addresses: [PollScheduleTests.address])
        await schedule.markDelivered([(PollScheduleTests.signature(1), 10)])
        #expect(await schedule.claim([PollScheduleTests.entry(1, slot: 10)]).taken == [PollScheduleTests.signature(1)])
        await schedule.forget([PollScheduleTests.signature(1)])
        #expect(await schedule.claim([PollScheduleTests.entry(1, slot: 10)]).claimed == [PollScheduleTests.signature(1)])
    }

    @Test func aCursorMovedBackDuringAPollAppliesWhenItEnds() async {
        var address = PollScheduleTests.address
        address.cursor = SignatureCursor(signature: PollScheduleTests.signature(50), slot: 500)
        let schedule = PollSchedule(settings: PollingSettings(busyInterval: .seconds(60)), addresses: [address])
        #expect(await schedule.takeDue(max: 10).first?.cursor?.slot == 500)
        var rewound = address
        rewound.cursor = SignatureCursor(signature: PollScheduleTests.signature(7), slot: 70)
        await schedule.rewind([rewound])
        // The poll under way delivers and would move the cursor on: it does not.
        await schedule.update(address.address, cursor: SignatureCursor(signature: PollScheduleTests.signature(51), slot: 510))
        await schedule.finish(address.address, outcome: .busy)
        #expect(await schedule.takeDue(max: 10).first?.cursor == rewound.cursor)
    }

    @Test func aClosedAccountFromTheDatabaseIsNotPolledUntilNamedByANewerTransaction() async {
        let key = try! PublicKey(bytes: [UInt8](repeating: 9, count: 32))
        let closed = AddressCursor(address: key, role: .flbyAccount, closedSlot: 40)
        let schedule = PollSchedule(settings: PollingSettings(busyInterval: .zero), addresses: [PollScheduleTests.address, closed])
        #expect(await schedule.takeDue(max: 10).map(\.address) == [PollScheduleTests.address.address])
        await schedule.named([(key, 40)])
        #expect(await schedule.takeDue(max: 10).isEmpty)
        await schedule.named([(key, 41)])
        #expect(await schedule.takeDue(max: 10).map(\.address) == [key])
        let closures = await schedule.takeClosures()
        #expect(closures.count == 1 && closures[key] == .some(nil))
    }
}
