import SolanaCore

/// The addresses the indexer follows, so that each is stored and handed to the source once.
actor FollowedAddresses {
    private var known: Set<PublicKey> = []
    private var isStarted = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Those of `addresses` not followed yet (without adding them).
    func candidates(_ addresses: [AddressCursor]) -> [AddressCursor] {
        var seen: Set<PublicKey> = []
        return addresses.filter { !known.contains($0.address) && seen.insert($0.address).inserted }
    }

    /// Adds `addresses`; returns those that were new.
    func add(_ addresses: [AddressCursor]) -> [AddressCursor] {
        addresses.filter { known.insert($0.address).inserted }
    }

    func markStarted() {
        isStarted = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }

    func started() async {
        if isStarted { return }
        await withCheckedContinuation { waiting.append($0) }
    }
}
