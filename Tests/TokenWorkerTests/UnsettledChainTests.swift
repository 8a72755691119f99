import FlutterbyeStore
import Foundation
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// What the chain has not settled yet never ends a job early: a failure seen only at processed (its fork may be
/// abandoned), a block height read from a lagging node, a creator that never confirms.
@Suite struct UnsettledChainTests {
    typealias H = SenderMachineHarness

    // MARK: A failure seen only at processed

    /// The poll shows the job's transaction failed in a block that is only processed (a fork the cluster may still
    /// abandon), while its blockhash is valid for 150 more blocks. The job must not be failed then: on the fork that
    /// wins, the same transaction can still land, and succeed.
    @Test func aFailureSeenOnlyAtProcessedDoesNotFailAJobWhoseTransactionCanStillLand() {
        var h = H()
        let transaction = h.following(1, "a", lastValid: 1_150)
        _ = h.handle(.blockHeight(1_000))
        _ = h.tick(after: .seconds(1))
        var actions = h.handle(.statuses([transaction.id: H.status(.processed, error: ["InstructionError": [5, ["Custom": 1]]])]))
        // Whatever the machine asks meanwhile, the chain (confirmed) shows nothing at the mint yet.
        if !actions.verifies.isEmpty { actions += h.handle(.verified(jobID: 1, .absent)) }
        #expect(actions.outcomes.isEmpty, "failed at block height 1,000 though the transaction can land until 1,150: \(actions.outcomes)")
    }

    // MARK: A block height from a lagging node

    /// A load-balanced RPC answers one blockhash reading from a node that lags (1,600 blocks, about eleven minutes).
    /// The machine's "ten lives" bound, taken from that reading, clamped the stored transaction's last valid height
    /// (10,150) to the stale height plus 1,500 (9,900): when the fresh nodes answered again (10,002), the transaction
    /// counted as expired 148 blocks early, and the job (its attempts used up) failed while it could still land.
    @Test func aStaleBlockHeightNeverExpiresATransactionBeforeItsLastValidHeight() {
        var h = Self.resumedOnItsLastAttempt()
        #expect(h.handle(.blockHeight(10_000)).verifies.isEmpty)
        #expect(h.handle(.blockHeight(8_400)).verifies.isEmpty, "a lagging node's reading")
        var actions = h.handle(.blockHeight(10_002))
        #expect(actions.verifies.isEmpty, "block height 10,002: the transaction is valid until 10,150")
        if !actions.verifies.isEmpty { actions += h.handle(.verified(jobID: 1, .absent)) }
        #expect(actions.outcomes.isEmpty, "failed while its transaction can land for 148 more blocks: \(actions.outcomes)")
    }

    /// The worker restarts after a crash and resumes a job whose attempts are used up (so it may only settle what it
    /// stored). The first blockhash reading after the restart comes from a node of the load balancer that lags 1,600
    /// blocks (8,400), the very case `aStaleBlockHeightNeverExpiresATransactionBeforeItsLastValidHeight`
    /// mended, but with no fresh reading heard before it: `highestBlockHeight` is then the stale one, and the clamp
    /// (highest + 1,500 = 9,900) lowers the stored last valid height (10,150) for good. When the fresh nodes answer
    /// (10,002) the transaction counts as expired 148 blocks early and the job fails while it can still land.
    @Test func aStaleFirstBlockHeightNeverExpiresATransactionBeforeItsLastValidHeight() {
        var h = Self.resumedOnItsLastAttempt()
        #expect(h.handle(.blockHeight(8_400)).verifies.isEmpty, "the first reading after the restart, from a lagging node")
        var actions = h.handle(.blockHeight(10_002))
        #expect(actions.verifies.isEmpty, "block height 10,002: the transaction is valid until 10,150")
        if !actions.verifies.isEmpty { actions += h.handle(.verified(jobID: 1, .absent)) }
        #expect(actions.outcomes.isEmpty, "failed while its transaction can land for 148 more blocks: \(actions.outcomes)")
    }

    /// Job 1 resumed on its last attempt (its attempts used up: it may only settle what it stored), following its
    /// stored transaction (valid until block height 10,150), which no status shows yet.
    static func resumedOnItsLastAttempt() -> H {
        var h = H()
        let stored = H.transaction("a", blockhash: 1)
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(1, "a", attempt: 4, maxAttempts: 3, stored: [stored], lastValid: 10_150)]))
        _ = h.handle(.sent([(1, stored.id, .accepted)]))
        _ = h.tick(after: .seconds(1))
        _ = h.handle(.statuses([stored.id: nil]))
        return h
    }

    // MARK: A confirmation heard while the job's token is looked for

    /// The job's transaction expired by block height before any status showed it, so the machine looks for its token;
    /// meanwhile PubSub reports that very transaction confirmed (it landed just before its blockhash ran out, and the
    /// node that reads the mint lags). The notice was dropped: the verdict of the lagging node (absent) made the job
    /// sign again, and the new transaction could only fail, for a fee. The notice confirms the job.
    @Test func aConfirmationHeardWhileTheTokenIsLookedForConfirmsTheJob() {
        var h = H()
        let transaction = h.following(1, "a", lastValid: 1_150)
        _ = h.handle(.statuses([transaction.id: nil]))
        #expect(h.handle(.blockHeight(1_151)).verifies.count == 1)
        let actions = h.handle(.notified([transaction.id: H.status(.confirmed)]))
        #expect(actions.outcomes == [.confirm(H.lease(1), signature: transaction.id)])
        #expect(h.handle(.verified(jobID: 1, .absent)).builds.isEmpty, "nothing signed again")
    }

    // MARK: A creator that never confirms, and no transaction of its own to follow

    /// The job's first transaction expired and a lagging node read no token, so the worker signed again; that build
    /// failed for good (the payer ran dry), so the job looked once more, and a node showed the first transaction as
    /// processed (its mint at the address): "created, not yet confirmed". Following with no live transaction, only a
    /// poll (status cache only) showing a confirmation could end it; when that never came (the processed block
    /// abandoned, or the transaction older than the node's status cache), the job was held for ever: lease renewed, a
    /// place of the budget taken, never confirmed, failed or retried. It must be looked at again.
    @Test func aJobFollowingNoLiveTransactionIsLookedAtAgainWhenItsCreatorNeverConfirms() {
        var h = H()
        let first = h.following(1, "a", lastValid: 1_150)
        _ = h.handle(.statuses([first.id: nil]))
        _ = h.handle(.blockHeight(1_151))
        #expect(h.handle(.verified(jobID: 1, .absent)).builds.count == 1)
        #expect(h.handle(.built([(1, .failure(.permanent(errorClass: "insufficient_funds", "fund the payer")))])).verifies.count == 1)
        _ = h.handle(.verified(jobID: 1, .created(by: first.id, confirmed: false)))
        var height: UInt64 = 1_151
        var effects: [SenderAction] = []
        for _ in 0..<600 {  // ten minutes
            let actions = h.tick(after: .seconds(1))
            if let renewal = actions.renewals.first { _ = h.handle(.leasesRenewed(held: [1], asked: renewal, askedAt: h.now)) }
            if let poll = actions.polls.first { effects += h.handle(.statuses(Dictionary(uniqueKeysWithValues: poll.map { ($0, nil) }))) }
            height += 3
            effects += h.handle(.blockHeight(height))
            effects += actions.filter { if case .verify = $0 { true } else { false } } + actions.outcomes.map { .finish($0) }
        }
        #expect(!(effects.verifies.isEmpty && effects.outcomes.isEmpty), "ten minutes with nothing to follow, and the job neither looked at nor left")
    }
}
