import FlutterbyeIndexer
import Foundation
import SolanaCore
import Testing

/// When a stored transaction the node cannot find is dropped: never on one answer, only after misses in a row spread
/// over slots and time, each after the blockhash expired; any sighting starts the count again; seen in its slot a
/// dropped one is restored, seen in another it was moved. No I/O: slots and times are given.
struct DropPolicyTests {
    static let policy = DropPolicy(expirySlots: 150, misses: 3, spanSlots: 100, span: .seconds(60), forkDepthSlots: 150)
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let signature = try! Signature(bytes: [UInt8](repeating: 4, count: 64))

    /// Checks a transaction at slot 1,000 that is missing, at (finalized slot, seconds after `start`), applying each
    /// verdict as the settling pass does; returns the verdicts.
    static func misses(_ checks: [(slot: UInt64, seconds: Double)], dropped: Bool = false) -> [SettleVerdict] {
        var transaction = SettlingTransaction(signature: signature, slot: 1_000, dropped: dropped)
        var verdicts: [SettleVerdict] = []
        for check in checks {
            let verdict = policy.verdict(
                for: transaction, sighting: .missing, finalizedSlot: check.slot, now: start.addingTimeInterval(check.seconds))
            verdicts.append(verdict)
            switch verdict {
            case .miss(let record): transaction.absence = record
            case .drop(let record):
                transaction.absence = record
                transaction.dropped = true
            default: break
            }
        }
        return verdicts
    }

    static func isDrop(_ verdict: SettleVerdict?) -> Bool {
        if case .drop = verdict { return true }
        return false
    }

    @Test func oneMissDropsNothing() {
        let verdicts = Self.misses([(2_000, 0)])
        #expect(!verdicts.contains { Self.isDrop($0) })
        guard case .miss(let record) = verdicts.first else {
            Issue.record("\(verdicts)")
            return
        }
        #expect(record.misses == 1 && record.firstSlot == 2_000 && record.firstAt == Self.start)
    }

    @Test func beforeTheBlockhashExpiredAMissDoesNotCount() {
        #expect(Self.misses([(1_100, 0), (1_149, 100)]) == [.wait, .wait])
        #expect(Self.policy.counts(slot: 1_000, finalizedSlot: 1_150))
        #expect(!Self.policy.counts(slot: 1_000, finalizedSlot: 1_149))
        #expect(!Self.policy.counts(slot: 1_000, finalizedSlot: 900))
    }

    @Test func manyMissesAtOneMomentOrOverFewSlotsDropNothing() {
        // Ten checks in a second.
        #expect(!Self.misses((0..<10).map { (2_000 + UInt64($0), Double($0) / 10) }).contains { Self.isDrop($0) })
        // Ten minutes, but the finalized chain moved only 50 slots (a stalled or lagging node).
        #expect(!Self.misses((0..<10).map { (2_000 + UInt64($0) * 5, Double($0) * 60) }).contains { Self.isDrop($0) })
    }

    @Test func missesInARowOverSlotsAndTimeDrop() {
        let verdicts = Self.misses([(2_000, 0), (2_050, 30), (2_100, 59), (2_150, 60)])
        #expect(verdicts.map(Self.isDrop) == [false, false, false, true])
        guard case .drop(let record) = verdicts.last else { return }
        #expect(record.misses == 4 && record.firstSlot == 2_000 && record.lastSlot == 2_150)
        #expect(record.droppedAt == Self.start.addingTimeInterval(60))
        // Exactly the minimum: three misses, 100 slots, 60 seconds.
        #expect(Self.misses([(2_000, 0), (2_050, 30), (2_100, 60)]).map(Self.isDrop) == [false, false, true])
    }

    @Test func aSightingStartsTheCountAgain() {
        var transaction = SettlingTransaction(signature: Self.signature, slot: 1_000)
        transaction.absence = AbsenceRecord(
            misses: 2, firstSlot: 2_000, firstAt: Self.start, lastSlot: 2_090, lastAt: Self.start.addingTimeInterval(50))
        let later = Self.start.addingTimeInterval(70)
        #expect(Self.policy.verdict(for: transaction, sighting: .unfinalized(slot: 1_000), finalizedSlot: 2_100, now: later) == .seen)
        #expect(Self.policy.verdict(for: transaction, sighting: .finalized(slot: 1_000), finalizedSlot: 2_100, now: later) == .finalize)
        // An RPC failure tells nothing: the misses stay as they are.
        #expect(Self.policy.verdict(for: transaction, sighting: .unknown, finalizedSlot: 2_100, now: later) == .wait)
        // Without the sighting, the third miss would have dropped it.
        #expect(Self.isDrop(Self.policy.verdict(for: transaction, sighting: .missing, finalizedSlot: 2_100, now: later)))
    }

    @Test func aDroppedTransactionSeenAgainIsRestoredOrMoved() {
        let dropped = SettlingTransaction(
            signature: Self.signature, slot: 1_000, dropped: true,
            absence: AbsenceRecord(misses: 3, firstSlot: 2_000, firstAt: Self.start, lastSlot: 2_100, lastAt: Self.start, droppedAt: Self.start))
        let now = Self.start.addingTimeInterval(600)
        #expect(Self.policy.verdict(for: dropped, sighting: .finalized(slot: 1_000), finalizedSlot: 9_000, now: now) == .finalize)
        #expect(Self.policy.verdict(for: dropped, sighting: .unfinalized(slot: 1_000), finalizedSlot: 9_000, now: now) == .seen)
        #expect(Self.policy.verdict(for: dropped, sighting: .finalized(slot: 1_004), finalizedSlot: 9_000, now: now) == .moved(slot: 1_004))
        // Still missing: it stays dropped, its record checked again later.
        guard case .miss(let record) = Self.policy.verdict(for: dropped, sighting: .missing, finalizedSlot: 9_000, now: now) else {
            Issue.record("a missing dropped transaction is not dropped again")
            return
        }
        #expect(record.lastAt == now && record.lastSlot == 9_000 && record.droppedAt == Self.start)
        // Stored in one slot, seen in another: it moved (a fork that died), whether it was dropped or not.
        let stored = SettlingTransaction(signature: Self.signature, slot: 1_000)
        #expect(Self.policy.verdict(for: stored, sighting: .unfinalized(slot: 1_001), finalizedSlot: 1_200, now: now) == .moved(slot: 1_001))
    }

    @Test func droppedTransactionsAreLookedForAgainForAWhileAndCursorsGoBackBeforeTheFork() {
        let policy = DropPolicy(forkDepthSlots: 150, recheckInterval: .seconds(600), recheckFor: .seconds(86_400))
        let window = policy.recheckWindow(now: Self.start)
        #expect(window.droppedSince == Self.start.addingTimeInterval(-86_400))
        #expect(window.checkedBefore == Self.start.addingTimeInterval(-600))
        #expect(policy.rewindBelow(slot: 1_000) == 850)
        #expect(policy.rewindBelow(slot: 100) == 0)
    }

    @Test func theDefaultsAreSlowToDrop() {
        let policy = DropPolicy()
        #expect(policy.expirySlots == 150 && policy.misses == 5 && policy.spanSlots == 750 && policy.span == .seconds(300))
        #expect(policy.recheckInterval == .seconds(600) && policy.recheckFor == .seconds(7 * 86_400))
        // Values that make no sense are clamped.
        let clamped = DropPolicy(misses: 0, span: .seconds(-5))
        #expect(clamped.misses == 1 && clamped.span == .zero)
    }
}
