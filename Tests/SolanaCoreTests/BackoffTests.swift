import SolanaCore
import Testing

/// The one retry schedule: doubling from `initial`, capped, spread by the caller's factor, never under the floor.
@Suite("Backoff")
struct BackoffTests {
    let backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))

    @Test func doublesFromTheFirstRetryUpToTheMaximum() {
        let waits = (1...6).map { backoff.delay(retry: $0) }
        #expect(waits == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        #expect(backoff.delay(retry: 0) == .milliseconds(100), "a retry under 1 counts as the first")
        #expect(backoff.delay(retry: .min) == .milliseconds(100))
        #expect(backoff.delay(retry: .max) == .seconds(1), "a huge retry count neither traps nor overflows")
    }

    @Test func spreadsByTheGivenFactorAndKeepsTheFloor() {
        #expect(backoff.delay(retry: 2, spread: 1.25) == .milliseconds(250))
        #expect(backoff.delay(retry: 2, spread: 0.5) == .milliseconds(100))
        #expect(backoff.delay(retry: 2, spread: .nan) == .milliseconds(200), "a non-finite spread counts as 1")
        #expect(backoff.delay(retry: 2, spread: .infinity) == .milliseconds(200))
        #expect(backoff.delay(retry: 2, spread: -3) == .zero)
        #expect(backoff.delay(retry: 1, floor: .seconds(30)) == .seconds(30), "a Retry-After floor wins over a shorter wait")
        #expect(backoff.delay(retry: 4, floor: .milliseconds(10)) == .milliseconds(800))
    }

    @Test func theFixedSpreadIsRepeatableAndCoversItsRange() {
        #expect(Backoff.spread(seed: 42, salt: 3) == Backoff.spread(seed: 42, salt: 3))
        let spreads = (0..<2_000).map { Backoff.spread(seed: Int64($0), salt: 1) }
        #expect(spreads.allSatisfy { (0.75...1.25).contains($0) })
        #expect(spreads.min()! < 0.8 && spreads.max()! > 1.2, "jobs failing together are spread over the whole range")
        #expect(Backoff.spread(seed: .min, salt: .max) >= 0.75)
    }
}
