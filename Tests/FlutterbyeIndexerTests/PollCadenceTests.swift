import Testing

@testable import FlutterbyeIndexer

/// When an address is polled next, given what its polls found and the time: busy ones at once, quiet ones less and
/// less often, dormant ones rarely, closed ones not at all until seen again. No I/O, no clock: `now` is given.
struct PollCadenceTests {
    static let settings = PollingSettings(
        busyInterval: .seconds(1), quietInterval: .seconds(30), dormantAfter: .seconds(3_600), dormantInterval: .seconds(3_600))
    static let cadence = PollCadence(settings: settings)
    static let start = ContinuousClock.now

    static func account(idle: Duration = .zero, at now: ContinuousClock.Instant = start) -> PollState {
        PollState(configured: false, lastActivity: now - idle)
    }

    /// The waits after `count` quiet polls of a token account, each right when due.
    static func quietWaits(_ count: Int, from state: PollState) -> [Duration] {
        var state = state
        var now = start
        var waits: [Duration] = []
        for _ in 0..<count {
            let (next, due) = cadence.afterPoll(state, outcome: .quiet, started: now, now: now, cursorSlot: 10)
            guard let due else { return waits }
            waits.append(due - now)
            state = next
            now = due
        }
        return waits
    }

    @Test func aQuietAccountDoublesItsWaitUpToTheQuietInterval() {
        #expect(Self.quietWaits(7, from: Self.account()) == [2, 4, 8, 16, 30, 30, 30].map { .seconds($0) })
        // Something new: polled again after the busy interval.
        let (state, due) = Self.cadence.afterPoll(
            PollState(configured: false, emptyPolls: 6, lastActivity: Self.start - .seconds(100)), outcome: .busy, started: Self.start,
            now: Self.start, cursorSlot: 10)
        #expect(due == Self.start + .seconds(1) && state.emptyPolls == 0 && state.lastActivity == Self.start)
    }

    @Test func configuredAddressesArePolledAtTheBusyRateAlways() {
        let mint = PollState(configured: true, emptyPolls: 100, lastActivity: Self.start - .seconds(86_400))
        #expect(Self.cadence.interval(mint, now: Self.start) == .seconds(1))
        // Never closed, never opened by discovery or naming.
        var absent = mint
        absent.absentSince = Self.start - .seconds(600)
        #expect(Self.cadence.afterPoll(absent, outcome: .quiet, started: Self.start, now: Self.start, cursorSlot: 5).due != nil)
        #expect(Self.cadence.discovered(mint, exists: false, now: Self.start).state.absentSince == nil)
    }

    @Test func aDormantAccountWaitsATwelfthOfItsIdleTimeUpToTheDormantInterval() {
        func wait(idle seconds: Int64) -> Duration {
            Self.cadence.interval(PollState(configured: false, emptyPolls: 3, lastActivity: Self.start - .seconds(seconds)), now: Self.start)
        }
        #expect(wait(idle: 3_599) == .seconds(8))  // not dormant yet: 2^3 busy intervals
        #expect(wait(idle: 3_600) == .seconds(300))
        #expect(wait(idle: 7_200) == .seconds(600))
        #expect(wait(idle: 43_200) == .seconds(3_600))
        #expect(wait(idle: 10 * 86_400) == .seconds(3_600))
    }

    @Test func anAccountDiscoveryNoLongerFindsClosesAfterAQuietPollBegunAQuietIntervalLater() {
        var state = Self.account()
        state = Self.cadence.discovered(state, exists: false, now: Self.start).state
        #expect(state.absentSince == Self.start)
        // A poll begun too soon finds the account's history quiet: not enough (its close may not be listed yet).
        let early = Self.cadence.afterPoll(state, outcome: .quiet, started: Self.start + .seconds(29), now: Self.start + .seconds(30), cursorSlot: 77)
        #expect(early.due != nil && early.state.closedSlot == nil)
        // A poll that found something (the close itself) keeps it open.
        let busy = Self.cadence.afterPoll(state, outcome: .busy, started: Self.start + .seconds(40), now: Self.start + .seconds(41), cursorSlot: 77)
        #expect(busy.due != nil && busy.state.closedSlot == nil)
        let closed = Self.cadence.afterPoll(
            state, outcome: .quiet, started: Self.start + .seconds(30), now: Self.start + .seconds(31), cursorSlot: 77)
        #expect(closed.due == nil && closed.state.closedSlot == 77)
        // A later discovery pass that still does not find it keeps the first absence.
        #expect(Self.cadence.discovered(state, exists: false, now: Self.start + .seconds(60)).state.absentSince == Self.start)
    }

    @Test func aClosedAccountSeenAgainOpens() {
        var closed = Self.account(idle: .seconds(7_200))
        closed.closedSlot = 77
        closed.absentSince = Self.start - .seconds(600)
        let now = Self.start + .seconds(5)
        // Discovery finds it again (it was created again).
        let found = Self.cadence.discovered(closed, exists: true, now: now)
        #expect(found.dueNow && found.state.closedSlot == nil && found.state.absentSince == nil && found.state.lastActivity == now)
        #expect(!Self.cadence.discovered(closed, exists: false, now: now).dueNow)
        // An indexed transaction names it: one no newer than its history (its close, delivered by another address) does
        // not open it; a later one does.
        #expect(Self.cadence.named(closed, slot: 77, now: now).dueBy == nil)
        let named = Self.cadence.named(closed, slot: 78, now: now)
        #expect(named.dueBy == now + .seconds(1) && named.state.closedSlot == nil && named.state.emptyPolls == 0)
        // An open quiet account named by an indexed transaction is polled within the busy interval.
        let quiet = PollState(configured: false, emptyPolls: 5, lastActivity: Self.start - .seconds(600))
        let woken = Self.cadence.named(quiet, slot: 5, now: now)
        #expect(woken.dueBy == now + .seconds(1) && woken.state.emptyPolls == 0 && Self.cadence.interval(woken.state, now: now) == .seconds(1))
    }

    @Test func failingPollsBackOffUpToTheQuietInterval() {
        var state = Self.account()
        var now = Self.start
        var waits: [Duration] = []
        for _ in 0..<7 {
            let (next, due) = Self.cadence.afterPoll(state, outcome: .failed, started: now, now: now, cursorSlot: nil)
            waits.append(due! - now)
            state = next
            now = due!
        }
        #expect(waits == [2, 4, 8, 16, 30, 30, 30].map { .seconds($0) })
        #expect(Self.cadence.afterPoll(state, outcome: .incomplete, started: now, now: now, cursorSlot: nil).due == now + .seconds(1))
    }

    /// A poll that delivered nothing because the node keeps answering null for the next transaction (a provider whose
    /// listing comes from archival storage and whose getTransaction does not) waits longer each time, configured
    /// address or not: each such poll fetched the whole chunk again, about a thousand getTransaction calls a second
    /// for one stuck address. A poll that delivers something, or finds nothing new, ends the waiting.
    @Test func pollsThatDeliverNothingWaitLongerEachTime() {
        for configured in [true, false] {
            var state = PollState(configured: configured, lastActivity: Self.start)
            var now = Self.start
            var waits: [Duration] = []
            for _ in 0..<7 {
                let (next, due) = Self.cadence.afterPoll(state, outcome: .stalled, started: now, now: now, cursorSlot: 10)
                waits.append(due! - now)
                state = next
                now = due!
            }
            #expect(waits == [1, 2, 4, 8, 16, 30, 30].map { .seconds($0) }, "configured: \(configured)")
            let (afterProgress, due) = Self.cadence.afterPoll(state, outcome: .incomplete, started: now, now: now, cursorSlot: 10)
            #expect(due == now + .seconds(1))
            #expect(Self.cadence.afterPoll(afterProgress, outcome: .stalled, started: now, now: now, cursorSlot: 10).due == now + .seconds(1))
            #expect(!PollOutcome.stalled.caughtUp)
        }
    }
}
