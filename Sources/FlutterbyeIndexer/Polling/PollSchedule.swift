import SolanaCore
import SolanaRPC

/// When each followed address is polled next: busy and configured ones every `busyInterval`, quiet ones less often
/// (doubling up to `quietInterval`), failing ones with backoff. Also remembers recently delivered signatures, so an
/// address's poll does not fetch again what another address's poll delivered.
actor PollSchedule {
    enum Outcome {
        /// New signatures were found and delivered.
        case busy
        /// Nothing new.
        case quiet
        /// Stopped early (a transaction the node did not have yet): poll again soon.
        case incomplete
        /// The poll failed.
        case failed
    }

    struct Entry {
        var address: AddressCursor
        var interval: Duration
        var due: ContinuousClock.Instant
        var polling = false
        var failures = 0
        /// When the current (or last) poll started, in `polls`.
        var startedAt = 0
        /// When the last poll that found nothing started.
        var quietAt = -1
        /// A cursor moved back (`rewind`) while a poll was under way: it applies when that poll ends.
        var rewound: SignatureCursor??
    }

    let settings: PollingSettings
    private var entries: [PublicKey: Entry] = [:]
    private var order: [PublicKey] = []
    private var polls = 0
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

    init(settings: PollingSettings, addresses: [AddressCursor], remembered: Int = 50_000) {
        self.settings = settings
        self.remembered = max(1, remembered)
        let now = ContinuousClock.now
        for address in addresses where entries[address.address] == nil {
            entries[address.address] = Entry(address: address, interval: settings.busyInterval, due: now)
            order.append(address.address)
        }
        storedSlotBound = addresses.compactMap(\.cursor?.slot).max()
    }

    func follow(_ addresses: [AddressCursor]) {
        let now = ContinuousClock.now
        for address in addresses where entries[address.address] == nil {
            entries[address.address] = Entry(address: address, interval: settings.busyInterval, due: now)
            order.append(address.address)
            raiseStoredSlotBound(address.cursor)
        }
        wake()
    }

    private var sleeper: CheckedContinuation<Void, Never>?
    private var sleeps = 0
    private var woken = false

    /// Sleeps for `duration`, or less if `wake` is called meanwhile (or was called since the last sleep), or the
    /// task is cancelled. One sleeper at a time: the polling loop.
    func sleep(upTo duration: Duration) async {
        if woken || Task.isCancelled {
            woken = false
            return
        }
        sleeps += 1
        let sleep = sleeps
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                sleeper = continuation
                Task { [weak self] in
                    try? await Task.sleep(for: duration)
                    await self?.endSleep(sleep)
                }
            }
        } onCancel: {
            Task { await self.wake() }
        }
        woken = false
    }

    /// Ends the current sleep at once (or the next one, if nobody sleeps): something the polling loop waits for
    /// happened.
    func wake() {
        if let sleeper {
            self.sleeper = nil
            sleeper.resume()
        } else {
            woken = true
        }
    }

    private func endSleep(_ sleep: Int) {
        guard sleep == sleeps, let sleeper else { return }
        self.sleeper = nil
        sleeper.resume()
    }

    /// Up to `max` addresses that are due, longest overdue first; they count as being polled until `finish`.
    func takeDue(max: Int) -> [AddressCursor] {
        let now = ContinuousClock.now
        var due = order.compactMap { key -> Entry? in
            guard let entry = entries[key], !entry.polling, entry.due <= now else { return nil }
            return entry
        }
        due.sort { $0.due < $1.due }
        let taken = due.prefix(max).map(\.address)
        for address in taken {
            polls += 1
            entries[address.address]?.polling = true
            entries[address.address]?.startedAt = polls
        }
        return taken
    }

    func untilNextDue(atMost limit: Duration) -> Duration {
        let now = ContinuousClock.now
        let next = entries.values.lazy.filter { !$0.polling }.map(\.due).min()
        guard let next else { return limit }
        return min(limit, max(.zero, next - now))
    }

    func update(_ address: PublicKey, cursor: SignatureCursor?) {
        guard entries[address]?.rewound == nil else { return }
        entries[address]?.address.cursor = cursor
    }

    private func raiseStoredSlotBound(_ cursor: SignatureCursor?) {
        raiseStoredSlotBound(cursor?.slot)
    }

    private func raiseStoredSlotBound(_ slot: UInt64?) {
        guard let slot else { return }
        storedSlotBound = max(storedSlotBound ?? slot, slot)
    }

    func finish(_ address: PublicKey, outcome: Outcome) {
        guard var entry = entries[address] else { return }
        entry.polling = false
        switch outcome {
        case .busy, .incomplete:
            entry.failures = 0
            entry.interval = settings.busyInterval
        case .quiet:
            entry.failures = 0
            entry.quietAt = entry.startedAt
            entry.interval = entry.address.role.isConfigured ? settings.busyInterval : min(entry.interval * 2, settings.quietInterval)
        case .failed:
            entry.failures += 1
            entry.interval = min(settings.busyInterval * (1 << min(entry.failures, 10)), settings.quietInterval)
        }
        entry.due = .now + entry.interval
        if let rewound = entry.rewound {
            // Moved back while this poll ran: read from there at once.
            entry.address.cursor = rewound
            entry.rewound = nil
            entry.due = .now
        }
        entries[address] = entry
    }

    /// Moves cursors back (they were at a dropped transaction): the next poll of each reads its history from there,
    /// at once. A poll under way keeps its own cursor and does not move these forward.
    func rewind(_ cursors: [AddressCursor]) {
        let now = ContinuousClock.now
        for cursor in cursors {
            guard var entry = entries[cursor.address] else { continue }
            if entry.polling {
                entry.rewound = .some(cursor.cursor)
            } else {
                entry.address.cursor = cursor.cursor
            }
            entry.due = now
            entries[cursor.address] = entry
        }
        wake()
    }

    /// Forgets that these signatures were delivered (they were dropped): listed again, they are fetched again.
    func forget(_ signatures: Set<Signature>) {
        recentlyDelivered.subtract(signatures)
        olderDelivered.subtract(signatures)
    }

    /// A mark for `quietSince`.
    func generation() -> Int { polls }

    /// Whether every address has had a poll that started after `mark` and found nothing.
    func quietSince(_ mark: Int) -> Bool {
        entries.values.allSatisfy { $0.quietAt > mark }
    }

    /// Makes every address due now (a test or an operator asking for a sweep).
    func pollAllNow() {
        let now = ContinuousClock.now
        for key in order { entries[key]?.due = now }
        wake()
    }

    /// Remembers transactions as delivered (stored, when they were relevant), between `remembered` and twice as many;
    /// the slots of those it forgets raise `storedSlotBound`.
    func markDelivered(_ delivered: [(signature: Signature, slot: UInt64)]) {
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
    /// transaction another process stores meanwhile makes the COPY fail and the write go the idempotent way.
    func claim(_ entries: [SignatureInfo]) -> (taken: Set<Signature>, claimed: Set<Signature>, lookUp: [Signature]) {
        var taken: Set<Signature> = [], claimed: Set<Signature> = []
        var lookUp: [Signature] = []
        for entry in entries {
            let signature = entry.signature
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

    func release(_ signatures: Set<Signature>) {
        inFlight.subtract(signatures)
    }
}
