import FlutterbyeTestSupport
import Testing

@testable import FlutterbyeAPI

/// The shared reading of the chain's slots without a chain: a reading is a closure that counts its calls.
struct ChainSlotReaderTests {
    /// A reading that counts itself and answers the count as the slot, after `delay`.
    static func counting(_ calls: Shared<Int>, delay: Duration = .zero, answer: Bool = true) -> @Sendable () async -> UInt64? {
        {
            let call = calls.withLock { calls in
                calls += 1
                return calls
            }
            try? await Task.sleep(for: delay)
            return answer ? UInt64(call) : nil
        }
    }

    @Test func askersAtOnceShareOneReading() async {
        let calls = Shared(0)
        let reader = ChainSlotReader(maxAge: .seconds(3600), read: Self.counting(calls, delay: .milliseconds(50)))
        let answers = await withTaskGroup(of: UInt64?.self) { group in
            for _ in 0..<50 { group.addTask { await reader.slot() } }
            return await group.reduce(into: [UInt64?]()) { $0.append($1) }
        }
        #expect(calls.withLock { $0 } == 1)
        #expect(answers.allSatisfy { $0 == 1 })
        #expect(await reader.slot() == 1, "a later asker within the age gets the same reading")
        #expect(calls.withLock { $0 } == 1)
    }

    @Test func aReadingOlderThanTheAgeIsMadeAgain() async throws {
        let calls = Shared(0)
        let reader = ChainSlotReader(maxAge: .milliseconds(50), read: Self.counting(calls))
        #expect(await reader.slot() == 1)
        try await Task.sleep(for: .milliseconds(100))
        #expect(await reader.slot() == 2)
        #expect(calls.withLock { $0 } == 2)
    }

    @Test func aFailedReadingIsSharedToo() async {
        let calls = Shared(0)
        let reader = ChainSlotReader(maxAge: .seconds(3600), read: Self.counting(calls, answer: false))
        #expect(await reader.slot() == nil)
        #expect(await reader.slot() == nil)
        #expect(calls.withLock { $0 } == 1, "an RPC that cannot be asked is not asked again by every request")
    }
}
