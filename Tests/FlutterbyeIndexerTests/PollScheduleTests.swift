import Foundation
import SolanaCore
import Testing

@testable import FlutterbyeIndexer
@testable import SolanaRPC

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
    /// The schedule's time is given, never read: every test runs at this instant (and later ones it names).
    static let start = ContinuousClock.now
    static let date = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func anEmptyIndexLooksNothingUp() {
        var schedule = PollSchedule(
            settings: PollingSettings(), addresses: [Self.address], now: PollScheduleTests.start, wallClock: PollScheduleTests.date)
        let claim = schedule.claim((0..<10).map { Self.entry($0, slot: UInt64(100 + $0)) })
        #expect(claim.lookUp.isEmpty)
        #expect(claim.claimed.count == 10 && claim.taken.isEmpty)
    }

    @Test func whatIsAsOldAsAStoredCursorIsLookedUp() {
        var started = Self.address
        started.cursor = SignatureCursor(signature: Self.signature(999), slot: 105)
        var schedule = PollSchedule(
            settings: PollingSettings(), addresses: [started], now: PollScheduleTests.start, wallClock: PollScheduleTests.date)
        let claim = schedule.claim((0..<10).map { Self.entry($0, slot: UInt64(100 + $0)) })
        #expect(claim.lookUp == (0...5).map { Self.signature($0) })

        // An address followed later, with a stored cursor, raises the bound the same way.
        var later = AddressCursor(address: try! PublicKey(bytes: [UInt8](repeating: 7, count: 32)), role: .flbyAccount)
        later.cursor = SignatureCursor(signature: Self.signature(998), slot: 300)
        schedule.follow([later], now: PollScheduleTests.start, wallClock: PollScheduleTests.date)
        let lateClaim = schedule.claim([Self.entry(50, slot: 299)])
        #expect(lateClaim.lookUp == [Self.signature(50)])
    }

    @Test func deliveredAndInFlightSignaturesAreTakenAndOwnDeliveriesNeedNoLookUp() {
        var schedule = PollSchedule(
            settings: PollingSettings(), addresses: [Self.address], now: PollScheduleTests.start, wallClock: PollScheduleTests.date)
        let first = schedule.claim((0..<4).map { Self.entry($0, slot: 10) })
        // While the first poll fetches them, another poll of another address skips them.
        let second = schedule.claim((2..<6).map { Self.entry($0, slot: 10) })
        #expect(second.taken == Set((2..<4).map { Self.signature($0) }))
        #expect(second.claimed == Set((4..<6).map { Self.signature($0) }))
        // Delivered: still skipped after the claims are released, and what this process stored is never looked up,
        // though its cursor advanced past it.
        schedule.markDelivered((0..<4).map { (Self.signature($0), 10) })
        schedule.update(PublicKey.zero, cursor: SignatureCursor(signature: Self.signature(3), slot: 10))
        schedule.release(first.claimed)
        schedule.release(second.claimed)
        let third = schedule.claim((0..<6).map { Self.entry($0, slot: 10) })
        #expect(third.taken == Set((0..<4).map { Self.signature($0) }))
        #expect(third.lookUp.isEmpty)
    }

    @Test func forgottenDeliveriesAreLookedUpAgain() {
        var schedule = PollSchedule(
            settings: PollingSettings(), addresses: [Self.address], remembered: 10, now: PollScheduleTests.start, wallClock: PollScheduleTests.date)
        schedule.markDelivered((0..<10).map { (Self.signature($0), UInt64(20 + $0)) })  // becomes the older set
        #expect(schedule.storedSlotBound == nil)
        schedule.markDelivered((10..<20).map { (Self.signature($0), UInt64(40 + $0)) })  // the first ten are forgotten
        #expect(schedule.storedSlotBound == 29)
        let claim = schedule.claim([Self.entry(0, slot: 20), Self.entry(15, slot: 55), Self.entry(30, slot: 29), Self.entry(31, slot: 30)])
        #expect(claim.taken == [Self.signature(15)])
        #expect(claim.lookUp == [Self.signature(0), Self.signature(30)])
    }

    /// A signature listed twice in one chunk (solana-labs/solana#24417) is claimed once, and its copy is not taken
    /// from the poll that claimed it: a copy counted as another poll's would leave the transaction to nobody while
    /// the cursor passed it.
    @Test func aSignatureListedTwiceIsClaimedOnceAndNotTakenFromItself() {
        var started = Self.address
        started.cursor = SignatureCursor(signature: Self.signature(999), slot: 105)
        var schedule = PollSchedule(
            settings: PollingSettings(), addresses: [started], now: PollScheduleTests.start, wallClock: PollScheduleTests.date)
        let claim = schedule.claim([Self.entry(1, slot: 100), Self.entry(1, slot: 100), Self.entry(2, slot: 101)])
        #expect(claim.taken.isEmpty)
        #expect(claim.claimed == [Self.signature(1), Self.signature(2)])
        #expect(claim.lookUp == [Self.signature(1), Self.signature(2)], "each looked up once")
    }
}

/// What the settling pass tells the schedule: a dropped signature is fetched again when listed; a cursor moved back
/// while its address is polled takes effect when that poll ends, and the address is due at once.
struct PollScheduleRewindTests {
    @Test func aForgottenDeliveryIsClaimedAgain() {
        var schedule = PollSchedule(
            settings: PollingSettings(), addresses: [PollScheduleTests.address], now: PollScheduleTests.start, wallClock: PollScheduleTests.date)
        schedule.markDelivered([(PollScheduleTests.signature(1), 10)])
        let beforeForgetting = schedule.claim([PollScheduleTests.entry(1, slot: 10)])
        #expect(beforeForgetting.taken == [PollScheduleTests.signature(1)])
        schedule.forget([PollScheduleTests.signature(1)])
        let afterForgetting = schedule.claim([PollScheduleTests.entry(1, slot: 10)])
        #expect(afterForgetting.claimed == [PollScheduleTests.signature(1)])
    }

    @Test func aCursorMovedBackDuringAPollAppliesWhenItEnds() {
        var address = PollScheduleTests.address
        address.cursor = SignatureCursor(signature: PollScheduleTests.signature(50), slot: 500)
        var schedule = PollSchedule(
            settings: PollingSettings(busyInterval: .seconds(60)), addresses: [address], now: PollScheduleTests.start,
            wallClock: PollScheduleTests.date)
        let firstPoll = schedule.takeDue(max: 10, now: PollScheduleTests.start)
        #expect(firstPoll.first?.cursor?.slot == 500)
        var rewound = address
        rewound.cursor = SignatureCursor(signature: PollScheduleTests.signature(7), slot: 70)
        schedule.rewind([rewound], now: PollScheduleTests.start)
        // The poll under way delivers and would move the cursor on: it does not.
        schedule.update(address.address, cursor: SignatureCursor(signature: PollScheduleTests.signature(51), slot: 510))
        schedule.finish(address.address, outcome: .busy, now: PollScheduleTests.start)
        let nextPoll = schedule.takeDue(max: 10, now: PollScheduleTests.start)
        #expect(nextPoll.first?.cursor == rewound.cursor)
    }

    @Test func aClosedAccountFromTheDatabaseIsNotPolledUntilNamedByANewerTransaction() {
        let key = try! PublicKey(bytes: [UInt8](repeating: 9, count: 32))
        let closed = AddressCursor(address: key, role: .flbyAccount, closedSlot: 40)
        var schedule = PollSchedule(
            settings: PollingSettings(busyInterval: .zero), addresses: [PollScheduleTests.address, closed], now: PollScheduleTests.start,
            wallClock: PollScheduleTests.date)
        let atStart = schedule.takeDue(max: 10, now: PollScheduleTests.start)
        #expect(atStart.map(\.address) == [PollScheduleTests.address.address])
        schedule.named([(key, 40)], now: PollScheduleTests.start)
        let afterAnOlderName = schedule.takeDue(max: 10, now: PollScheduleTests.start)
        #expect(afterAnOlderName.isEmpty)
        schedule.named([(key, 41)], now: PollScheduleTests.start)
        let afterANewerName = schedule.takeDue(max: 10, now: PollScheduleTests.start)
        #expect(afterANewerName.map(\.address) == [key])
        let closures = schedule.takeClosures()
        #expect(closures.count == 1 && closures[key] == .some(nil))
    }
}

/// When an address is due, from the time given alone: no clock is read, so the test states the moments.
struct PollScheduleTimeTests {
    @Test func anAddressIsDueAgainAfterItsIntervalAndNotBefore() {
        let start = PollScheduleTests.start
        var schedule = PollSchedule(
            settings: PollingSettings(busyInterval: .seconds(60)), addresses: [PollScheduleTests.address], now: start,
            wallClock: PollScheduleTests.date)
        let firstPoll = schedule.takeDue(max: 10, now: start)
        #expect(firstPoll.count == 1, "a newly followed address is due at once")
        let again = schedule.takeDue(max: 10, now: start)
        #expect(again.isEmpty, "not again while it is polled")
        schedule.finish(PollScheduleTests.address.address, outcome: .busy, now: start + .seconds(1))
        #expect(schedule.untilNextDue(atMost: .seconds(600), now: start + .seconds(1)) == .seconds(60))
        let atSixtySeconds = schedule.takeDue(max: 10, now: start + .seconds(60))
        #expect(atSixtySeconds.isEmpty)
        let afterSixtySeconds = schedule.takeDue(max: 10, now: start + .seconds(61))
        #expect(afterSixtySeconds.count == 1)
        let woken = schedule.takeWakeRequest()
        #expect(!woken, "a poll ending wakes nobody")
        schedule.pollAllNow(now: start + .seconds(62))
        let firstAsk = schedule.takeWakeRequest()
        let secondAsk = schedule.takeWakeRequest()
        #expect(firstAsk && !secondAsk, "a sweep asked for wakes the loop once")
    }
}
