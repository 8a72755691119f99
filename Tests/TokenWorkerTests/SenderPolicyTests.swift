import Testing
import TokenWorker

/// The sender's pure decisions.
@Suite struct SenderPolicyTests {
    @Test func computeUnitLimitHasAMarginAndACap() {
        let policy = SenderPolicy(computeUnitMargin: 1.2, computeUnitHeadroom: 5_000)
        #expect(policy.computeUnitLimit(simulatedUnits: 50_000) == 65_000)
        #expect(policy.computeUnitLimit(simulatedUnits: 0) == 5_000)
        #expect(policy.computeUnitLimit(simulatedUnits: 10_000_000) == SenderPolicy.maxComputeUnits)
    }

    @Test func priorityFeeIsAPercentileWithinBounds() {
        let policy = SenderPolicy(priorityFeePercentile: 75, maxPriorityFee: 50_000, minPriorityFee: 10)
        #expect(policy.priorityFee(recentFees: []) == 10)
        #expect(policy.priorityFee(recentFees: [0, 0, 0, 100, 200]) == 100)
        #expect(policy.priorityFee(recentFees: [1_000_000, 2_000_000]) == 50_000, "capped")
        #expect(policy.priorityFee(recentFees: [0, 0, 0, 0]) == 10, "at least the minimum")
        #expect(SenderPolicy(priorityFeePercentile: 100).priorityFee(recentFees: [5, 1, 9]) == 9)
        #expect(SenderPolicy(priorityFeePercentile: 0).priorityFee(recentFees: [5, 1, 9]) == 1)
    }

    @Test func backoffGrowsWithJitterUpToItsCapAndHonoursAFloor() {
        let policy = SenderPolicy(initialBackoff: .seconds(1), maxBackoff: .seconds(60))
        for _ in 0..<50 {
            let first = policy.backoff(afterAttempt: 1)
            #expect(first >= .milliseconds(750) && first <= .milliseconds(1250))
            let fourth = policy.backoff(afterAttempt: 4)
            #expect(fourth >= .seconds(6) && fourth <= .seconds(10))
            #expect(policy.backoff(afterAttempt: 30) <= .seconds(75))
        }
        #expect(policy.backoff(afterAttempt: 1, floor: .seconds(30)) >= .seconds(30))
    }
}
