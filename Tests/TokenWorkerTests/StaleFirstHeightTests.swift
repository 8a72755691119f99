import FlutterbyeStore
import Foundation
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// A worker's first block height after a restart may come from a lagging node: it must never make a stored
/// transaction expire before its own last valid height.
@Suite struct StaleFirstHeightTests {
    typealias H = SenderMachineHarness

    /// The worker restarts after a crash and resumes a job whose attempts are used up (so it may only settle what it
    /// stored). The first blockhash reading after the restart comes from a node of the load balancer that lags 1,600
    /// blocks (8,400), the very case `UnsettledChainTests.aStaleBlockHeightNeverExpiresATransactionBeforeItsLastValidHeight`
    /// mended, but with no fresh reading heard before it: `highestBlockHeight` is then the stale one, and the clamp
    /// (highest + 1,500 = 9,900) lowers the stored last valid height (10,150) for good. When the fresh nodes answer
    /// (10,002) the transaction counts as expired 148 blocks early and the job fails while it can still land.
    @Test func aStaleFirstBlockHeightNeverExpiresATransactionBeforeItsLastValidHeight() {
        var h = H()
        let stored = H.transaction("a", blockhash: 1)
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(1, "a", attempt: 4, maxAttempts: 3, stored: [stored], lastValid: 10_150)]))
        _ = h.handle(.sent([(1, stored.id, .accepted)]))
        _ = h.tick(after: .seconds(1))
        _ = h.handle(.statuses([stored.id: nil]))
        #expect(h.handle(.blockHeight(8_400)).verifies.isEmpty, "the first reading after the restart, from a lagging node")
        var actions = h.handle(.blockHeight(10_002))
        #expect(actions.verifies.isEmpty, "block height 10,002: the transaction is valid until 10,150")
        if !actions.verifies.isEmpty { actions += h.handle(.verified(jobID: 1, .absent)) }
        #expect(actions.outcomes.isEmpty, "failed while its transaction can land for 148 more blocks: \(actions.outcomes)")
    }
}
