import Foundation
import SolanaCore
import SolanaRPC

/// The polling loop's `PollSchedule`, shared by the loop and the indexer's other tasks: each call gives the schedule
/// the time now, and the loop sleeps here until the next address is due or something it waits for happens (an
/// address followed, rewound, named or found again).
actor LivePollSchedule {
    typealias Outcome = PollOutcome

    private var schedule: PollSchedule
    private var sleeper: CheckedContinuation<Void, Never>?
    private var sleeps = 0
    private var woken = false

    init(settings: PollingSettings, addresses: [AddressCursor], remembered: Int = 50_000) {
        schedule = PollSchedule(settings: settings, addresses: addresses, remembered: remembered, now: .now, wallClock: Date())
    }

    /// The schedule as it is now (for tests).
    var current: PollSchedule { schedule }

    func follow(_ addresses: [AddressCursor]) {
        schedule.follow(addresses, now: .now, wallClock: Date())
        wakeIfAsked()
    }

    func takeDue(max: Int) -> [AddressCursor] { schedule.takeDue(max: max, now: .now) }

    func untilNextDue(atMost limit: Duration) -> Duration { schedule.untilNextDue(atMost: limit, now: .now) }

    func update(_ address: PublicKey, cursor: SignatureCursor?) { schedule.update(address, cursor: cursor) }

    func finish(_ address: PublicKey, outcome: Outcome) { schedule.finish(address, outcome: outcome, now: .now) }

    func discovered(existing: Set<PublicKey>) {
        schedule.discovered(existing: existing, now: .now)
        wakeIfAsked()
    }

    func named(_ accounts: [(account: PublicKey, slot: UInt64)]) {
        schedule.named(accounts, now: .now)
        wakeIfAsked()
    }

    func cover(_ covered: Set<PublicKey>) {
        schedule.cover(covered, now: .now)
        wakeIfAsked()
    }

    func notified(_ address: PublicKey, slot: UInt64) {
        schedule.notified(address, slot: slot, now: .now)
        wakeIfAsked()
    }

    func takeClosures() -> [PublicKey: UInt64?] { schedule.takeClosures() }

    func restoreClosures(_ taken: [PublicKey: UInt64?]) { schedule.restoreClosures(taken) }

    func rewind(_ cursors: [AddressCursor]) {
        schedule.rewind(cursors, now: .now)
        wakeIfAsked()
    }

    func forget(_ signatures: Set<Signature>) { schedule.forget(signatures) }

    func generation() -> Int { schedule.generation() }

    func quietSince(_ mark: Int) -> Bool { schedule.quietSince(mark) }

    func pollAllNow() {
        schedule.pollAllNow(now: .now)
        wakeIfAsked()
    }

    func markDelivered(_ delivered: [(signature: Signature, slot: UInt64)]) { schedule.markDelivered(delivered) }

    func claim(_ entries: [SignatureInfo]) -> (taken: Set<Signature>, claimed: Set<Signature>, lookUp: [Signature]) {
        schedule.claim(entries)
    }

    func release(_ signatures: Set<Signature>) { schedule.release(signatures) }

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

    private func wakeIfAsked() {
        if schedule.takeWakeRequest() { wake() }
    }

    private func endSleep(_ sleep: Int) {
        guard sleep == sleeps, let sleeper else { return }
        self.sleeper = nil
        sleeper.resume()
    }
}
