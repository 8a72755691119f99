import SolanaRPC
import Synchronization

/// The chain's slot at one commitment, read once for every asker of the status API: a reading younger than `maxAge`
/// is shared, and whoever asks while one is under way waits for that one. However many status pages and clients ask
/// `GET /v1/index`, and the gauges beside them, the API makes at most one `getSlot` call per commitment per `maxAge`.
final class ChainSlotReader: Sendable {
    private struct State {
        /// The last reading (nil: the RPC could not be asked) and when it came.
        var last: (slot: UInt64?, at: ContinuousClock.Instant)?
        var reading: Task<UInt64?, Never>?
    }

    private let maxAge: Duration
    private let read: @Sendable () async -> UInt64?
    private let state = Mutex(State())

    /// A reader whose readings are made by `read` (nil: the chain could not be asked).
    init(maxAge: Duration, read: @escaping @Sendable () async -> UInt64?) {
        self.maxAge = maxAge
        self.read = read
    }

    /// A reader asking `rpc` for its slot at `commitment`.
    convenience init(rpc: SolanaRPCClient, commitment: Commitment, maxAge: Duration) {
        self.init(maxAge: maxAge) { try? await rpc.slot(commitment: commitment) }
    }

    /// The slot as read at most `maxAge` ago, or by the reading under way, or by a new one; nil when that reading
    /// could not ask the chain (a failed reading is shared too, so an RPC that is down is not asked by every request).
    func slot() async -> UInt64? {
        enum Step {
            case read(UInt64?)
            case wait(Task<UInt64?, Never>)
        }
        let step: Step = state.withLock { state in
            if let last = state.last, last.at.duration(to: .now) < maxAge { return .read(last.slot) }
            if let reading = state.reading { return .wait(reading) }
            let reading = Task { [read] in
                let slot = await read()
                self.state.withLock { state in
                    state.last = (slot, .now)
                    state.reading = nil
                }
                return slot
            }
            state.reading = reading
            return .wait(reading)
        }
        switch step {
        case .read(let slot): return slot
        case .wait(let reading): return await reading.value
        }
    }
}
