import Synchronization

/// The newest slot a client's answers reached (`getSlot`'s, and `getLatestBlockhash`'s context slot), and when: an
/// answer whose slot runs ahead of it by more than a margin plus a slot a millisecond is no cluster's (slots take
/// hundreds of milliseconds), and is refused. Answers that go back (a lagging endpoint after a failover) are taken and
/// leave the newest as it is.
final class SlotProgress: Sendable {
    private struct Reading {
        var slot: UInt64
        var at: ContinuousClock.Instant
    }

    /// How far past the newest slot an answer may be whatever the time since.
    static let margin: UInt64 = 1_000

    private let newest = Mutex<Reading?>(nil)

    /// Nil when `slot`, answered at `now`, is plausible (and then remembered when it is the newest); else why it is not.
    func refusal(of slot: UInt64, at now: ContinuousClock.Instant = .now) -> String? {
        newest.withLock { newest in
            if let previous = newest {
                let elapsed = previous.at.duration(to: now)
                let milliseconds =
                    elapsed <= .zero
                    ? 0 : UInt64(clamping: elapsed.components.seconds) &* 1_000 &+ UInt64(elapsed.components.attoseconds / 1_000_000_000_000_000)
                let (withMargin, marginOverflow) = previous.slot.addingReportingOverflow(Self.margin)
                let (bound, overflow) = withMargin.addingReportingOverflow(milliseconds)
                if !marginOverflow && !overflow && slot > bound {
                    return
                        "the answer's slot \(slot) is \(slot - previous.slot) slots past slot \(previous.slot), answered \(milliseconds) ms before: no cluster makes a slot a millisecond, so the endpoint is broken or hostile; use another endpoint"
                }
                guard slot > previous.slot else { return nil }
            }
            newest = Reading(slot: slot, at: now)
            return nil
        }
    }
}
