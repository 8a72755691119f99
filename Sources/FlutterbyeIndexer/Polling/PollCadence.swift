import SolanaCore

/// How a poll of an address's history ended.
enum PollOutcome: Sendable, Hashable {
    /// New signatures were found and delivered.
    case busy
    /// Nothing new.
    case quiet
    /// Stopped early (a transaction the node did not have yet) after delivering some: poll again soon.
    case incomplete
    /// Stopped before delivering anything: the node did not have the next transaction. Polled again after a wait that
    /// doubles with each such poll in a row, up to `quietInterval`: a node that never has it (a listing served from
    /// archival storage, transactions from a pruned node) must not make every poll fetch the whole chunk again.
    case stalled
    /// The poll failed.
    case failed

    /// Whether the address's history is indexed up to when the poll began (everything found was delivered).
    var caughtUp: Bool { self == .busy || self == .quiet }
}

/// Where one followed address stands, as far as when to poll it goes.
struct PollState: Sendable, Hashable {
    /// A configured address (mint, wallets, program): polled at the busy rate always.
    var configured: Bool
    /// Polls in a row that found nothing.
    var emptyPolls = 0
    /// Polls in a row that failed.
    var failures = 0
    /// Polls in a row that delivered nothing because the node did not have the next transaction.
    var stalls = 0
    /// When its history last had something new, or it was followed or named by an indexed transaction.
    var lastActivity: ContinuousClock.Instant
    /// Since when discovery has not found the token account (it no longer exists); nil while it does.
    var absentSince: ContinuousClock.Instant?
    /// The slot its history was read to when it was found closed; nil while it is open. A closed account is not
    /// polled until it is seen again.
    var closedSlot: UInt64?
    /// Whether a live PubSub subscription covers it: each of its new transactions wakes a poll, so the schedule is
    /// only a sweep.
    var covered = false
}

/// When a followed address is polled next, a pure value over `PollingSettings` (the time is passed in):
/// - configured addresses, and any address whose last poll found something, every `busyInterval`;
/// - a quiet token account waits twice as long after each empty poll, up to `quietInterval`;
/// - one without activity for `dormantAfter` waits a twelfth of the time it has been idle (at least `quietInterval`),
///   up to `dormantInterval`;
/// - a closed one (discovery no longer finds it, and a poll that began at least `quietInterval` after that found
///   nothing new, so its history is read to its end) is not polled until it is seen again: found by discovery, or
///   named by a transaction indexed from another address's history at a later slot;
/// - a failing poll is tried again after `busyInterval` doubled with each failure, up to `quietInterval`; so is one
///   that delivered nothing because the node did not have the next transaction (`PollOutcome.stalled`).
/// - one a live subscription covers waits at least `sweepInterval` (a notification wakes it sooner), except after a
///   poll that stopped early or found something (polled again after `busyInterval`).
struct PollCadence: Sendable, Hashable {
    let settings: PollingSettings

    /// `busyInterval` doubled with each retry, up to `quietInterval`: the wait after failures, stalls and empty polls.
    private var doubling: Backoff { Backoff(initial: settings.busyInterval, maximum: settings.quietInterval) }

    /// How long `state` waits before its next poll at `now`, closed or not.
    func interval(_ state: PollState, now: ContinuousClock.Instant) -> Duration {
        if state.failures > 0 { return doubling.delay(retry: min(state.failures, 10) + 1) }
        let uncovered: Duration
        if state.configured || state.emptyPolls == 0 {
            uncovered = settings.busyInterval
        } else if now - state.lastActivity >= settings.dormantAfter {
            let idle = now - state.lastActivity
            uncovered = min(max(settings.quietInterval, idle / 12), max(settings.dormantInterval, settings.quietInterval))
        } else {
            uncovered = doubling.delay(retry: state.emptyPolls + 1)
        }
        return state.covered ? max(uncovered, settings.sweepInterval) : uncovered
    }

    /// The state after a poll that began at `started` ended with `outcome` at `now`, and when the next one is due:
    /// nil once the account is closed (at `cursorSlot`, where its history was read to).
    func afterPoll(
        _ state: PollState, outcome: PollOutcome, started: ContinuousClock.Instant, now: ContinuousClock.Instant, cursorSlot: UInt64?
    ) -> (state: PollState, due: ContinuousClock.Instant?) {
        var state = state
        switch outcome {
        case .busy, .incomplete:
            state.failures = 0
            state.stalls = 0
            state.emptyPolls = 0
            state.lastActivity = now
        case .stalled:
            state.failures = 0
            state.stalls += 1
            return (state, now + doubling.delay(retry: min(state.stalls, 10)))
        case .failed:
            state.failures += 1
        case .quiet:
            state.failures = 0
            state.stalls = 0
            state.emptyPolls += 1
            if !state.configured, let absent = state.absentSince, started >= absent + settings.quietInterval {
                state.closedSlot = cursorSlot ?? 0
                return (state, nil)
            }
        }
        // A poll that stopped early (the node did not have a transaction yet) goes on soon, covered or not; so does one
        // that found something, once: the next poll finding nothing is what says the address is caught up (`caughtUp`).
        return (state, now + (outcome == .incomplete || outcome == .busy ? settings.busyInterval : interval(state, now: now)))
    }

    /// The state after a discovery pass that found the token account (`exists`) or not, and whether it is due now (a
    /// closed account found again is open again).
    func discovered(_ state: PollState, exists: Bool, now: ContinuousClock.Instant) -> (state: PollState, dueNow: Bool) {
        guard !state.configured else { return (state, false) }
        var state = state
        guard exists else {
            if state.absentSince == nil { state.absentSince = now }
            return (state, false)
        }
        state.absentSince = nil
        guard state.closedSlot != nil else { return (state, false) }
        return (reopened(state, now: now), true)
    }

    /// The state after a transaction at `slot`, indexed from any address's history, named the account in its token
    /// balances, and the latest its next poll may come (nil: no change): an open account is active again, polled
    /// within `busyInterval`; a closed one opens again when the transaction is newer than its history (it was created
    /// again).
    func named(_ state: PollState, slot: UInt64, now: ContinuousClock.Instant) -> (state: PollState, dueBy: ContinuousClock.Instant?) {
        guard !state.configured else { return (state, nil) }
        if let closed = state.closedSlot, slot <= closed { return (state, nil) }
        return (reopened(state, now: now), now + settings.busyInterval)
    }

    private func reopened(_ state: PollState, now: ContinuousClock.Instant) -> PollState {
        var state = state
        if state.closedSlot != nil {
            state.closedSlot = nil
            state.absentSince = nil
        }
        state.emptyPolls = 0
        state.lastActivity = now
        return state
    }
}
