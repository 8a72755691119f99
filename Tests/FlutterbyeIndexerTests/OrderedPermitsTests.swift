import Synchronization
import Testing

@testable import FlutterbyeIndexer

/// The permits the polls' `getTransaction` requests share: never more out than there are, handed to the lowest
/// order first whatever the order of asking, and a cancelled waiter leaves without one.
struct OrderedPermitsTests {
    /// Records the order in which waiters got their permit.
    final class Grants: Sendable {
        let granted = Mutex<[UInt64]>([])
        func add(_ order: UInt64) { granted.withLock { $0.append(order) } }
        var list: [UInt64] { granted.withLock { $0 } }
    }

    /// Counts the permits out now and the most out at once.
    final class Holders: Sendable {
        let state = Mutex((now: 0, most: 0))
        func enter() {
            state.withLock {
                $0.now += 1
                $0.most = max($0.most, $0.now)
            }
        }
        func leave() { state.withLock { $0.now -= 1 } }
        var most: Int { state.withLock { $0.most } }
    }

    /// Waits until `condition` holds (or fails the test after about two seconds).
    func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<2_000 where !condition() { try await Task.sleep(for: .milliseconds(1)) }
        #expect(condition())
    }

    @Test func lowestOrderFirstWhateverTheOrderOfAsking() async throws {
        let permits = OrderedPermits(1)
        let first = permits.nextOrder()
        let second = permits.nextOrder()
        let third = permits.nextOrder()
        #expect(first < second && second < third)
        try await permits.acquire(order: first)
        let grants = Grants()
        // Asked for in the reverse of their order, while the only permit is out.
        var waiters: [Task<Void, any Error>] = []
        for (order, waiting) in [(third, 1), (second, 2)] {
            waiters.append(
                Task {
                    try await permits.acquire(order: order)
                    grants.add(order)
                    permits.release()
                })
            try await eventually { permits.waitingCount == waiting }
        }
        #expect(grants.list.isEmpty)
        permits.release()
        for waiter in waiters { try await waiter.value }
        #expect(grants.list == [second, third])
        #expect(permits.availableCount == 1)
    }

    @Test func neverMoreOutThanThereAre() async throws {
        let permits = OrderedPermits(3)
        let holders = Holders()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                let order = permits.nextOrder()
                group.addTask {
                    try await permits.acquire(order: order)
                    holders.enter()
                    try await Task.sleep(for: .milliseconds(1))
                    holders.leave()
                    permits.release()
                }
            }
            try await group.waitForAll()
        }
        #expect(holders.most <= 3 && holders.most > 0)
        #expect(permits.availableCount == 3)
    }

    @Test func aCancelledWaiterLeavesWithoutAPermit() async throws {
        let permits = OrderedPermits(1)
        try await permits.acquire(order: permits.nextOrder())
        let order = permits.nextOrder()
        let waiter = Task { try await permits.acquire(order: order) }
        try await eventually { permits.waitingCount == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(permits.waitingCount == 0)
        // The permit still out comes back; nobody else took one.
        permits.release()
        #expect(permits.availableCount == 1)
        // Cancelled before it asks: refused at once.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await permits.acquire(order: permits.nextOrder())
        }
        await #expect(throws: CancellationError.self) { try await early.value }
        #expect(permits.availableCount == 1)
    }
}
