import Foundation
import SolanaCore
import Testing

@testable import FlutterbyeIndexer

/// The schedule with a PubSub subscription: a covered address is swept, a mention polls it at once (and once more),
/// coverage gained polls at once (what came before is nobody's notification), coverage lost goes back to polling.
/// The time is given, never read.
struct PollScheduleSubscriptionTests {
    let start = PollScheduleTests.start
    let address = PollScheduleTests.address
    let settings = PollingSettings(busyInterval: .seconds(1), quietInterval: .seconds(30), sweepInterval: .seconds(120))

    func schedule() -> PollSchedule {
        var schedule = PollSchedule(settings: settings, addresses: [address], now: start, wallClock: PollScheduleTests.date)
        _ = schedule.takeDue(max: 10, now: start)
        schedule.finish(address.address, outcome: .quiet, now: start)
        return schedule
    }

    func due(_ schedule: inout PollSchedule, at seconds: Double) -> Bool {
        let due = schedule.takeDue(max: 10, now: start + .seconds(seconds))
        return !due.isEmpty
    }

    @Test func aCoveredAddressIsPolledAtOnceThenOnlySwept() {
        var schedule = schedule()
        schedule.cover([address.address], now: start + .seconds(0.5))
        let observed1 = schedule.takeWakeRequest()
        #expect(observed1)
        let observed2 = due(&schedule, at: 0.5)
        #expect(observed2, "the poll that catches up with what came before the subscription")
        schedule.finish(address.address, outcome: .quiet, now: start + .seconds(0.5))
        let observed3 = due(&schedule, at: 60)
        #expect(!observed3, "a configured address polled every second without a subscription waits for the sweep")
        let observed4 = due(&schedule, at: 120.5)
        #expect(observed4)
        schedule.finish(address.address, outcome: .busy, now: start + .seconds(121))
        let observed5 = due(&schedule, at: 121.5)
        #expect(!observed5)
        let observed6 = due(&schedule, at: 122)
        #expect(observed6, "a poll that found something is followed by one more a second later: it says the address is caught up")
        schedule.finish(address.address, outcome: .quiet, now: start + .seconds(122))
        let observed7 = due(&schedule, at: 200)
        #expect(!observed7, "then the sweep: the next transaction will be notified")
    }

    @Test func aMentionPollsAtOnceAndOnceMoreASecondLater() {
        var schedule = schedule()
        schedule.cover([address.address], now: start)
        _ = due(&schedule, at: 0)
        schedule.finish(address.address, outcome: .quiet, now: start)
        schedule.notified(address.address, slot: 10, now: start + .seconds(5))
        let observed6 = schedule.takeWakeRequest()
        #expect(observed6)
        let observed7 = due(&schedule, at: 5)
        #expect(observed7)
        // The node's history does not show the transaction yet: the poll finds nothing.
        schedule.finish(address.address, outcome: .quiet, now: start + .seconds(5))
        let observed8 = due(&schedule, at: 5.5)
        #expect(!observed8)
        let observed9 = due(&schedule, at: 6)
        #expect(observed9, "the follow-up, for a node whose history lags its notifications")
        schedule.finish(address.address, outcome: .quiet, now: start + .seconds(6))
        let observed10 = due(&schedule, at: 60)
        #expect(!observed10, "then the sweep")
    }

    @Test func aMentionDuringAPollPollsAgainWhenItEnds() {
        var schedule = schedule()
        schedule.cover([address.address], now: start)
        let observed11 = due(&schedule, at: 0)
        #expect(observed11)
        schedule.notified(address.address, slot: 10, now: start + .seconds(0.1))
        let observed12 = due(&schedule, at: 0.2)
        #expect(!observed12, "not twice at once")
        schedule.finish(address.address, outcome: .quiet, now: start + .seconds(0.3))
        let observed13 = due(&schedule, at: 0.3)
        #expect(observed13, "the poll under way may have read the history before the transaction")
    }

    /// What `caughtUp` asks for: every address polled after this moment. One being polled then is polled again when
    /// that poll ends (it may have read its history before the moment); before, it waited for its next due time,
    /// the sweep's 120 s when covered.
    @Test func aSweepAskedForDuringAPollPollsAgainWhenItEnds() {
        var schedule = schedule()
        schedule.cover([address.address], now: start)
        let first = due(&schedule, at: 0)
        #expect(first)
        schedule.pollAllNow(now: start + .seconds(0.1))
        schedule.finish(address.address, outcome: .quiet, now: start + .seconds(0.2))
        let again = due(&schedule, at: 0.2)
        #expect(again)
    }

    @Test func coverageLostGoesBackToPolling() {
        var schedule = schedule()
        schedule.cover([address.address], now: start)
        _ = due(&schedule, at: 0)
        schedule.finish(address.address, outcome: .quiet, now: start)
        schedule.cover([], now: start + .seconds(10))
        let observed14 = due(&schedule, at: 10.5)
        #expect(!observed14)
        let observed15 = due(&schedule, at: 11)
        #expect(observed15, "a configured address is polled every second again")
    }

    @Test func aPollThatStoppedEarlyGoesOnSoonEvenWhenCovered() {
        var schedule = schedule()
        schedule.cover([address.address], now: start)
        _ = due(&schedule, at: 0)
        schedule.finish(address.address, outcome: .incomplete, now: start)
        let observed16 = due(&schedule, at: 1)
        #expect(observed16)
    }

    @Test func aMentionOfAClosedAccountOpensItOnlyForANewerTransaction() {
        let key = try! PublicKey(bytes: [UInt8](repeating: 9, count: 32))
        let closed = AddressCursor(address: key, role: .flbyAccount, closedSlot: 40)
        var schedule = PollSchedule(settings: settings, addresses: [closed], now: start, wallClock: PollScheduleTests.date)
        schedule.notified(key, slot: 40, now: start)
        let observed17 = due(&schedule, at: 0)
        #expect(!observed17)
        schedule.notified(key, slot: 41, now: start)
        let observed18 = due(&schedule, at: 0)
        #expect(observed18)
        let observed19 = schedule.takeClosures()
        #expect(observed19[key] == .some(nil))
    }
}
