import SolanaRPC
import Synchronization
import Testing

/// One reading for every caller waiting on it, a fresh value served without a read, and a failed read keeping the
/// previous value.
@Suite struct SharedReadingTests {
    final class Counter: Sendable {
        let reads = Mutex(0)
        func next() -> Int {
            reads.withLock {
                $0 += 1
                return $0
            }
        }
    }

    @Test func concurrentCallersShareOneRead() async throws {
        let reading = SharedReading<Int>()
        let counter = Counter()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await reading.value(maxAge: .seconds(60)) {
                        try await Task.sleep(for: .milliseconds(50))
                        return counter.next()
                    }
                }
            }
            var values: [Int] = []
            for try await value in group { values.append(value) }
            return values
        }
        #expect(Set(values) == [1], "one read answered all fifty")
        #expect(try await reading.value(maxAge: .seconds(60)) { counter.next() } == 1, "fresh enough: no read")
        #expect(try await reading.value(maxAge: .zero) { counter.next() } == 2, "too old: read again")
    }

    struct Failure: Error {}

    @Test func aFailedReadKeepsThePreviousValue() async throws {
        let reading = SharedReading<Int>()
        _ = try await reading.refresh { 7 }
        await #expect(throws: Failure.self) { try await reading.refresh { throw Failure() } }
        #expect(reading.latest?.value == 7)
        #expect(try await reading.refresh { 8 } == 8, "a read after a failure starts anew")
    }
}
