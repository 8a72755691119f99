import SolanaRPC

/// The chain's slot at one commitment, read once for every asker of the status API (a `SharedReading`): a reading
/// younger than `maxAge` is shared, and whoever asks while one is under way waits for that one. However many status
/// pages and clients ask `GET /v1/index`, and the gauges beside them, the API makes at most one `getSlot` call per
/// commitment per `maxAge`.
final class ChainSlotReader: Sendable {
    private let reading = SharedReading<UInt64?>()
    private let maxAge: Duration
    private let read: @Sendable () async -> UInt64?

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
    /// could not ask the chain (a failed reading is a value here, shared too, so an RPC that is down is not asked by
    /// every request).
    func slot() async -> UInt64? {
        let read = self.read
        return (try? await reading.value(maxAge: maxAge) { await read() }) ?? nil
    }
}
