import Foundation
import SolanaCore
import SolanaRPC

/// When each followed address is polled next (`PollCadence` decides; closed token accounts are not polled), and which
/// signatures were delivered recently, so an address's poll does not fetch again what another address's poll
/// delivered. A value: the time is given (`now`), never read; `LivePollSchedule` is the polling loop's shared copy,
/// with the clock and the loop's sleep.
struct PollSchedule: Sendable {
    typealias Outcome = PollOutcome

    struct Entry: Sendable {
        var address: AddressCursor
        var state: PollState
        /// When the next poll is due; nil while the account is closed.
        var due: ContinuousClock.Instant?
        var polling = false
        /// When the current (or last) poll started, in `polls`, and in time.
        var startedAt = 0
        var startedInstant: ContinuousClock.Instant
        /// When the last poll that found nothing started.
        var quietAt = -1
        /// A cursor moved back (`rewind`) while a poll was under way: it applies when that poll ends.
        var rewound: SignatureCursor??
        /// A notification came while a poll was under way (its transaction may be newer than what that poll read):
        /// poll again when it ends.
        var wokenWhilePolling = false
        /// Polls a notification still asks for: the one it wakes, and one more `busyInterval` later, for a node
        /// whose history lags its notifications.
        var followUps = 0
    }

    let settings: PollingSettings
    let cadence: PollCadence
    private var entries: [PublicKey: Entry] = [:]
    private var order: [PublicKey] = []
    private var polls = 0
    /// Token accounts closed (the slot) or opened again (nil) since `takeClosures`.
    private var closures: [PublicKey: UInt64?] = [:]
    private var recentlyDelivered: Set<Signature> = []
    private var olderDelivered: Set<Signature> = []
    /// The newest slot in `recentlyDelivered` and in `olderDelivered`.
    private var recentlyDeliveredSlot: UInt64?
    private var olderDeliveredSlot: UInt64?
    private var inFlight: Set<Signature> = []
    /// The newest slot that a transaction stored, but not remembered in `recentlyDelivered` or `olderDelivered`, can
    /// have: that of every cursor followed from the database (stored before this process), and that of every delivered
    /// signature forgotten since. Nil: there is no such transaction.
    private(set) var storedSlotBound: UInt64?

    /// Signatures in `recentlyDelivered` before it becomes `olderDelivered` (and the older ones are forgotten).
    let remembered: Int
    /// Whether something the polling loop waits for happened since `takeWakeRequest` (an address became due sooner).
    private var wakeRequested = false

    /// The schedule of `addresses` at `now` (`wallClock`: the same moment as a date, to age their last activity).
    init(settings: PollingSettings, addresses: [AddressCursor], remembered: Int = 50_000, now: ContinuousClock.Instant, wallClock: Date) {
        self.settings = settings
        self.cadence = PollCadence(settings: settings)
        self.remembered = max(1, remembered)
        for address in addresses where entries[address.address] == nil {
            entries[address.address] = Self.entry(address, now: now, wallClock: wallClock)
            order.append(address.address)
        }
        storedSlotBound = addresses.compactMap(\.cursor?.slot).max()
    }

    mutating func follow(_ addresses: [AddressCursor], now: ContinuousClock.Instant, wallClock: Date) {
        for address in addresses where entries[address.address] == nil {
            entries[address.address] = Self.entry(address, now: now, wallClock: wallClock)
            order.append(address.address)
            raiseStoredSlotBound(address.cursor?.slot)
        }
        wakeRequested = true
    }

    /// A newly followed address: due now unless it is closed, idle since its last activity in the database.
    static func entry(_ address: AddressCursor, now: ContinuousClock.Instant, wallClock: Date) -> Entry {
        let idle = address.lastActivity.map { Duration.seconds(max(0, wallClock.timeIntervalSince($0))) } ?? .zero
        let state = PollState(
            configured: address.role.isConfigured, lastActivity: now - idle, closedSlot: address.role.isConfigured ? nil : address.closedSlot)
        return Entry(address: address, state: state, due: state.closedSlot == nil ? now : nil, startedInstant: now)
    }

    /// Whether the polling loop should wake (and clears the request).
    mutating func takeWakeRequest() -> Bool {
        defer { wakeRequested = false }
        return wakeRequested
    }

    /// Up to `max` addresses that are due, longest overdue first; they count as being polled until `finish`.
    mutating func takeDue(max: Int, now: ContinuousClock.Instant) -> [AddressCursor] {
        var due = order.compactMap { key -> (ContinuousClock.Instant, AddressCursor)? in
            guard let entry = entries[key], !entry.polling, let due = entry.due, due <= now else { return nil }
            return (due, entry.address)
        }
        due.sort { $0.0 < $1.0 }
        let taken = due.prefix(max).map(\.1)
        for address in taken {
            polls += 1
            entries[address.address]?.polling = true
            entries[address.address]?.startedAt = polls
            entries[address.address]?.startedInstant = now
        }
        return taken
    }

    func untilNextDue(atMost limit: Duration, now: ContinuousClock.Instant) -> Duration {
        let next = entries.values.lazy.filter { !$0.polling }.compactMap(\.due).min()
        guard let next else { return limit }
        return min(limit, max(.zero, next - now))
    }

    mutating func update(_ address: PublicKey, cursor: SignatureCursor?) {
        guard entries[address]?.rewound == nil else { return }
        entries[address]?.address.cursor = cursor
    }

    private mutating func raiseStoredSlotBound(_ slot: UInt64?) {
        guard let slot else { return }
        storedSlotBound = max(storedSlotBound ?? slot, slot)
    }

    mutating func finish(_ address: PublicKey, outcome: Outcome, now: ContinuousClock.Instant) {
        guard var entry = entries[address] else { return }
        entry.polling = false
        let (state, due) = cadence.afterPoll(
            entry.state, outcome: outcome, started: entry.startedInstant, now: now, cursorSlot: entry.address.cursor?.slot)
        if outcome == .quiet { entry.quietAt = entry.startedAt }
        if let closed = state.closedSlot, entry.state.closedSlot == nil { closures[address] = closed }
        entry.state = state
        entry.due = due
        if entry.followUps > 0, entry.due != nil {
            entry.followUps -= 1
            entry.due = min(entry.due ?? now, now + settings.busyInterval)
        }
        if entry.wokenWhilePolling {
            entry.wokenWhilePolling = false
            if entry.due != nil { entry.due = now }
        }
        if let rewound = entry.rewound {
            // Moved back while this poll ran: read from there at once.
            entry.address.cursor = rewound
            entry.rewound = nil
            if entry.due != nil { entry.due = now }
        }
        entries[address] = entry
    }

    /// What a discovery pass found: the token accounts that exist now. Followed token accounts among them that were
    /// closed are open again (and due now); those missing are no longer there, and close after their next quiet poll.
    mutating func discovered(existing: Set<PublicKey>, now: ContinuousClock.Instant) {
        for (key, entry) in entries where !entry.state.configured {
            let (state, dueNow) = cadence.discovered(entry.state, exists: existing.contains(key), now: now)
            change(key, to: state, dueBy: dueNow ? now : nil)
        }
    }

    /// Token accounts that transactions at these slots (indexed from any history) named: active again; a closed one
    /// opens again when the transaction is newer than its history.
    mutating func named(_ accounts: [(account: PublicKey, slot: UInt64)], now: ContinuousClock.Instant) {
        for (key, slot) in accounts {
            guard let entry = entries[key] else { continue }
            let (state, dueBy) = cadence.named(entry.state, slot: slot, now: now)
            change(key, to: state, dueBy: dueBy)
        }
    }

    /// Sets an entry's state, polled no later than `dueBy` when given (recording an account opened again).
    private mutating func change(_ key: PublicKey, to state: PollState, dueBy: ContinuousClock.Instant?) {
        guard var entry = entries[key] else { return }
        if entry.state.closedSlot != nil, state.closedSlot == nil { closures[key] = .some(nil) }
        entry.state = state
        if let dueBy, !entry.polling {
            entry.due = min(entry.due ?? dueBy, dueBy)
            wakeRequested = true
        }
        entries[key] = entry
    }

    /// Which addresses a live PubSub subscription covers now (none while it is down). One newly covered is polled
    /// at once (what happened before its subscription began is nobody's notification), then swept; one no longer
    /// covered goes back to its uncovered cadence from now.
    mutating func cover(_ covered: Set<PublicKey>, now: ContinuousClock.Instant) {
        for key in order {
            guard var entry = entries[key], entry.state.covered != covered.contains(key) else { continue }
            entry.state.covered = covered.contains(key)
            if entry.due != nil {
                if entry.state.covered {
                    if entry.polling { entry.wokenWhilePolling = true } else { entry.due = now }
                } else {
                    entry.due = min(entry.due ?? now, now + cadence.interval(entry.state, now: now))
                }
            }
            entries[key] = entry
        }
        wakeRequested = true
    }

    /// A notification: a transaction at `slot` mentioned `address`. It is polled at once (again after a poll under
    /// way), and once more a little later; a closed token account opens again when the transaction is newer than its
    /// history.
    mutating func notified(_ address: PublicKey, slot: UInt64, now: ContinuousClock.Instant) {
        guard var entry = entries[address] else { return }
        if entry.state.closedSlot != nil {
            let (state, dueBy) = cadence.named(entry.state, slot: slot, now: now)
            guard dueBy != nil else { return }
            closures[address] = .some(nil)
            entry.state = state
        }
        entry.followUps = 1
        if entry.polling { entry.wokenWhilePolling = true } else { entry.due = now }
        entries[address] = entry
        wakeRequested = true
    }

    /// The token accounts closed (at a slot) or opened again (nil) since the last call, to be stored.
    mutating func takeClosures() -> [PublicKey: UInt64?] {
        defer { closures = [:] }
        return closures
    }

    /// Gives back closures that could not be stored (unless newer ones replaced them).
    mutating func restoreClosures(_ taken: [PublicKey: UInt64?]) {
        closures.merge(taken) { newer, _ in newer }
    }

    /// Moves cursors back (they were at a dropped transaction): the next poll of each reads its history from there,
    /// at once. A poll under way keeps its own cursor and does not move these forward.
    mutating func rewind(_ cursors: [AddressCursor], now: ContinuousClock.Instant) {
        for cursor in cursors {
            guard var entry = entries[cursor.address] else { continue }
            if entry.polling {
                entry.rewound = .some(cursor.cursor)
            } else {
                entry.address.cursor = cursor.cursor
            }
            if entry.due != nil { entry.due = now }
            entries[cursor.address] = entry
        }
        wakeRequested = true
    }

    /// Forgets that these signatures were delivered (they were dropped): listed again, they are fetched again.
    mutating func forget(_ signatures: Set<Signature>) {
        recentlyDelivered.subtract(signatures)
        olderDelivered.subtract(signatures)
    }

    /// A mark for `quietSince`.
    func generation() -> Int { polls }

    /// Whether every address that is polled has had a poll that started after `mark` and found nothing.
    func quietSince(_ mark: Int) -> Bool {
        entries.values.allSatisfy { $0.due == nil && !$0.polling || $0.quietAt > mark }
    }

    /// Makes every address that is polled due now (a test or an operator asking for a sweep); one being polled is
    /// polled again when that poll ends, since it may have read its history before now.
    mutating func pollAllNow(now: ContinuousClock.Instant) {
        for key in order {
            guard var entry = entries[key], entry.due != nil else { continue }
            if entry.polling { entry.wokenWhilePolling = true } else { entry.due = now }
            entries[key] = entry
        }
        wakeRequested = true
    }

    /// Remembers transactions as delivered (stored, when they were relevant), between `remembered` and twice as many;
    /// the slots of those it forgets raise `storedSlotBound`.
    mutating func markDelivered(_ delivered: [(signature: Signature, slot: UInt64)]) {
        for (signature, slot) in delivered {
            recentlyDelivered.insert(signature)
            recentlyDeliveredSlot = max(recentlyDeliveredSlot ?? slot, slot)
        }
        if recentlyDelivered.count >= remembered {
            raiseStoredSlotBound(olderDeliveredSlot)
            olderDelivered = recentlyDelivered
            olderDeliveredSlot = recentlyDeliveredSlot
            recentlyDelivered = []
            recentlyDeliveredSlot = nil
        }
    }

    /// Splits `entries` into those delivered already or being fetched by another poll (`taken`), and the rest,
    /// which the caller now fetches (`claimed`, until `release`). `lookUp`: those of the claimed that may be stored
    /// already, so must be looked up in the database first: those at or below `storedSlotBound`. What this process
    /// stored it remembers as delivered (and once it forgets a signature, the bound covers its slot); what was
    /// stored before it started is at most as new as the cursor stored with it (the cursor advances in the same
    /// database transaction, and never moves back), and so at most as new as the newest cursor it started from. A
    /// transaction another process stores meanwhile makes the COPY fail and the write go the idempotent way. A
    /// signature listed twice counts once.
    mutating func claim(_ entries: [SignatureInfo]) -> (taken: Set<Signature>, claimed: Set<Signature>, lookUp: [Signature]) {
        var taken: Set<Signature> = []
        var claimed: Set<Signature> = []
        var lookUp: [Signature] = []
        for entry in entries {
            let signature = entry.signature
            // Listed twice (solana-labs/solana#24417): the first copy decides, the second is not another poll's.
            guard !claimed.contains(signature), !taken.contains(signature) else { continue }
            if recentlyDelivered.contains(signature) || olderDelivered.contains(signature) || inFlight.contains(signature) {
                taken.insert(signature)
            } else {
                inFlight.insert(signature)
                claimed.insert(signature)
                if let bound = storedSlotBound, entry.slot <= bound { lookUp.append(signature) }
            }
        }
        return (taken, claimed, lookUp)
    }

    mutating func release(_ signatures: Set<Signature>) {
        inFlight.subtract(signatures)
    }
}
