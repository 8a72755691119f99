import Synchronization

/// The number of connections the server has open, shared by its event loops.
final class OpenConnections: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts one more connection if fewer than `limit` are open; false when the limit is reached.
    func admit(atMost limit: Int) -> Bool {
        var current = count.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = count.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Counts a connection closed.
    func release() {
        count.subtract(1, ordering: .relaxed)
    }

    var current: Int { count.load(ordering: .relaxed) }
}
