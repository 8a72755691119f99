import SolanaCore

/// The addresses whose history this process indexed up to a poll's start lately (`PollOutcome.caughtUp`). Nothing
/// older than that poll is left to read for them, and no node keeps less ledger than `window`: their next poll need
/// not ask where the node's ledger starts (`getFirstAvailableBlock`), which the others' do, in their poll's batch.
actor RecentReads {
    let window: Duration
    private var caughtUpAt: [PublicKey: ContinuousClock.Instant] = [:]

    init(window: Duration = .seconds(600)) {
        self.window = window
    }

    /// Those of `addresses` not caught up within `window` before `now`: first reads, and reads after a gap.
    func unvouched(_ addresses: [PublicKey], now: ContinuousClock.Instant) -> Set<PublicKey> {
        Set(addresses.filter { address in caughtUpAt[address].map { now - $0 > window } ?? true })
    }

    /// `address` was indexed up to a poll that began at `start`.
    func caughtUp(_ address: PublicKey, pollStartedAt start: ContinuousClock.Instant) {
        if let earlier = caughtUpAt[address], earlier >= start { return }
        caughtUpAt[address] = start
    }
}
