import FlutterbyeStore
import Foundation
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// The sender's decisions about a job's whole stay: claims under the budget, leases, resuming what a job stored, a
/// mint address from another seed, used-up attempts, retries of failed steps, verdicts that take time, shutdown.
@Suite struct SenderMachineJobLifeTests {
    typealias H = SenderMachineHarness

    @Test func claimsFollowTheBudgetOfJobsInFlightAndSkipTheJobsHere() {
        var h = H()
        #expect(h.tick().claims.map(\.limit) == [4])
        var actions = h.handle(.claimed((1...4).map { H.claimed(Int64($0), "j\($0)") }))
        #expect(actions.claims.map(\.limit) == [4], "a full claim: there may be more, claim again at once")
        #expect(actions.claims.first?.excluding == [1, 2, 3, 4])
        actions = h.handle(.claimed((5...8).map { H.claimed(Int64($0), "j\($0)") }))
        #expect(actions.claims.isEmpty, "the budget (8) is used up")
        #expect(h.tick(after: .seconds(5)).claims.isEmpty)
        // One job leaves: one slot.
        _ = h.handle(.built([(3, .failure(.permanent(errorClass: "invalid_transaction", "too large")))]))
        actions = h.handle(.written(jobID: 3, .written))
        #expect(actions.claims.map(\.limit) == [1])
        #expect(actions.claims.first?.excluding == [1, 2, 4, 5, 6, 7, 8])
    }

    @Test func leasesAreRenewedEveryThirdOfTheLeaseAndALostOneStopsTheJob() {
        var h = H()
        let transaction = h.following(1, "a")
        #expect(h.tick(after: .seconds(19)).renewals.isEmpty)
        let renewal = h.tick(after: .seconds(1)).renewals
        #expect(renewal == [[H.lease(1)]])
        let actions = h.handle(.leasesRenewed(held: [], asked: [H.lease(1)], askedAt: h.now))
        #expect(h.machine.inFlightCount == 0, "rescued or claimed again elsewhere: this worker lets go")
        #expect(actions.outcomes.isEmpty, "and writes nothing")
        for _ in 0..<3 {
            let later = h.tick(after: .seconds(2))
            #expect(later.sends.isEmpty && later.polls.isEmpty)
        }
        _ = transaction
    }

    /// Renewals fail (the database stalls): sends stop before the lease could have lapsed, and start again once a
    /// renewal gets through.
    @Test func nothingIsSentUnderALeaseThatMayHaveLapsed() {
        var h = H()
        let start = h.now
        _ = h.following(1, "a")
        var lastSend: ContinuousClock.Instant?
        for _ in 0..<35 {
            let actions = h.tick(after: .seconds(2))
            if !actions.sends.isEmpty {
                lastSend = h.now
                _ = h.handle(.sent(actions.sends.map { ($0.jobID, $0.transaction.id, .ambiguous("timeout")) }))
            }
            if !actions.renewals.isEmpty { _ = h.handle(.leaseRenewalFailed("PostgreSQL did not answer")) }
        }
        let last = try! #require(lastSend)
        #expect(last - start < .seconds(50), "the lease (60 s) minus its margin (10 s)")
        #expect(last - start >= .seconds(46))
        // A renewal gets through: sends resume.
        var renewal: [JobLease]?
        for _ in 0..<5 where renewal == nil { renewal = h.tick(after: .seconds(1)).renewals.first }
        _ = h.handle(.leasesRenewed(held: [1], asked: try! #require(renewal), askedAt: h.now))
        var resumed = false
        for _ in 0..<3 where !resumed { resumed = !h.tick(after: .seconds(2)).sends.isEmpty }
        #expect(resumed)
    }

    @Test func aTransactionTheLeaseCouldNotStoreIsNeverSent() {
        var h = H()
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(1, "a")]))
        _ = h.handle(.built([(1, .success(H.built("a", blockhash: 1)))]))
        let actions = h.handle(.stored([], of: [1]))
        #expect(actions.sends.isEmpty && actions.outcomes.isEmpty)
        #expect(h.machine.inFlightCount == 0)
    }

    @Test func aStoreThatFailedIsRepeatedAndNothingIsSentMeanwhile() {
        var h = H()
        let built = H.built("a", blockhash: 1)
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(1, "a")]))
        let first = h.handle(.built([(1, .success(built))])).stores
        #expect(h.handle(.storeFailed([1], "PostgreSQL did not answer")).sends.isEmpty)
        var again: [TransactionSubmission] = []
        for _ in 0..<10 where again.isEmpty {
            let actions = h.tick(after: .milliseconds(100))
            #expect(actions.sends.isEmpty)
            again = actions.stores
        }
        #expect(again == first, "the same transaction, stored again (storing is idempotent)")
    }

    @Test func aResumedJobSendsItsStoredTransactionAgainAtOnceWithoutPreflightAndSignsNothing() {
        var h = H()
        let stored = H.transaction("a", blockhash: 1)
        _ = h.tick()
        let actions = h.handle(.claimed([H.claimed(1, "a", stored: [stored])]))
        #expect(actions.sends == [SendOrder(jobID: 1, transaction: stored, preflight: false)])
        #expect(actions.builds.isEmpty)
        #expect(actions.polls == [[stored.id]], "it may have landed already: its status is asked at once")
    }

    /// `signature` and `signatures` are separate columns, and the schema does not tie them: a row whose newest transaction is
    /// missing from `signatures` (an operator's SQL, a restored row) is still the job's transaction. Left out, it was never
    /// polled (never confirmed), and a job that kept no bytes or height for it signed again and could only end as
    /// `mint_exists_unattributed`, "this job created nothing", for a token its own transaction created.
    @Test func aStoredSignatureMissingFromTheJobsSignaturesIsStillTheJobs() {
        var h = H()
        let stored = H.transaction("a", blockhash: 1)
        _ = h.tick()
        var resumed = H.claimed(1, "a", stored: [stored])
        resumed.job.signatures = []
        var actions = h.handle(.claimed([resumed]))
        #expect(actions.polls == [[stored.id]], "its status is asked")
        actions = h.handle(.statuses([stored.id: H.status(.confirmed)]))
        #expect(actions.outcomes == [.confirm(H.lease(1), signature: stored.id)])

        // Only its signature kept: its token is looked for before anything is signed.
        var bare = H.claimed(2, "b", stored: [H.transaction("b", blockhash: 1)])
        bare.job.signatures = []
        bare.job.rawTransaction = nil
        bare.job.lastValidBlockHeight = nil
        actions = h.handle(.claimed([bare]))
        #expect(actions.builds.isEmpty)
        #expect(actions.verifies.map(\.signatures) == [[H.transaction("b", blockhash: 1).id]])
    }

    /// `last_valid_block_height` is a bigint: a row may say its stored transaction lives until 2^63 - 1 (an operator's SQL),
    /// and the sender followed it until then, rebroadcasting, never looking for its token, holding the job and a place of
    /// the budget for ever. No blockhash lives past the newest one's last valid height (height + 150); such a height is
    /// followed for ten lives (1,500 blocks) at most, the heights heard growing as the chain's do (a jump of more than
    /// a life from one reading to the next cuts it again from there: `UnsettledChainTests`).
    @Test func aStoredLastValidHeightPastAnyBlockhashsLifeExpiresWithinTenLives() {
        var h = H()
        let stored = H.transaction("a", blockhash: 1)
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(1, "a", stored: [stored], lastValid: UInt64(Int64.max))]))
        _ = h.handle(.sent([(1, stored.id, .accepted)]))
        for height in stride(from: UInt64(1_000), through: 2_500, by: 100) {
            #expect(h.handle(.blockHeight(height)).verifies.isEmpty, "the first height heard (1,000) plus ten lives: \(height)")
        }
        #expect(h.handle(.blockHeight(2_501)).verifies.map(\.jobID) == [1])
    }

    /// Fields the schema allows and the queue's rules refuse (a priority of 500, a recipient that is no address: an
    /// operator's SQL after the job stored its transaction) leave no mint to look for. Once its stored transaction
    /// expired, such a job was followed for ever, holding a place of the budget; with only signatures stored, it failed
    /// at once though one of them may have created its token. Either way it goes back to the queue, saying why.
    @Test func aJobWhoseFieldsTurnedInvalidAfterItStoredATransactionGoesBackToTheQueue() {
        var h = H()
        let stored = H.transaction("a", blockhash: 1)
        _ = h.tick()
        var expired = H.claimed(1, "a", stored: [stored], lastValid: 1_150)
        expired.job.request.priority = 500
        _ = h.handle(.claimed([expired]))
        _ = h.handle(.sent([(1, stored.id, .accepted)]))
        let outcomes = h.handle(.blockHeight(1_151)).outcomes
        let messages = outcomes.compactMap { if case .retry(H.lease(1), "invalid_job", let message, _) = $0 { message } else { nil } }
        #expect(messages.count == 1 && messages.allSatisfy { $0.contains("priority") && $0.contains(stored.id.base58) }, "\(outcomes)")

        var listed = H.claimed(2, "b", stored: [H.transaction("b", blockhash: 1)])
        listed.job.request.recipient = "not an address"
        listed.job.lastValidBlockHeight = nil
        let listedOutcomes = h.handle(.claimed([listed])).outcomes
        #expect(listedOutcomes.map { if case .retry(_, let errorClass, _, _) = $0 { errorClass } else { "\($0)" } } == ["invalid_job"])
    }

    @Test func aJobWhoseStoredMintIsNotTheDerivedOneNeverSignsAndFailsOnceNothingCanLand() {
        var h = H()
        let other = H.mint("another seed's")
        _ = h.tick()
        // Nothing stored: nothing can land, it fails at once.
        var actions = h.handle(.claimed([H.claimed(1, "a", mint: other)]))
        #expect(actions.builds.isEmpty)
        guard case .fail(_, "mint_mismatch", let message)? = actions.outcomes.first else {
            Issue.record("fails with mint_mismatch: \(actions)")
            return
        }
        #expect(message.contains(other.base58) && message.contains(H.mint("a").base58) && message.contains("FLUTTERBYE_MASTER_SEED"))
        // A stored mint address that is no address at all (an operator's SQL) is not the derived one either: signed, its
        // transaction could never be stored (the queue keeps a job's first mint address), and the job went round its leases.
        var unreadable = H.claimed(3, "c")
        unreadable.job.mintAddress = "not a mint"
        actions = h.handle(.claimed([unreadable]))
        #expect(actions.builds.isEmpty)
        #expect(actions.outcomes.map { if case .fail(_, let errorClass, _) = $0 { errorClass } else { "" } } == ["mint_mismatch"])
        // A stored transaction (under the other seed): followed, looked for at the stored address, never replaced.
        let stored = H.transaction("a", blockhash: 1)
        actions = h.handle(.claimed([H.claimed(2, "b", mint: other, stored: [stored], lastValid: 1_150)]))
        #expect(actions.sends.map(\.preflight) == [false])
        _ = h.handle(.sent([(2, stored.id, .accepted)]))
        actions = h.handle(.blockHeight(1_151))
        #expect(actions.verifies.first?.expected.address == other)
        actions = h.absentUntilItLeaves(2)
        #expect(actions.builds.isEmpty)
        #expect(actions.outcomes.map { if case .fail(_, let errorClass, _) = $0 { errorClass } else { "" } } == ["mint_mismatch"])
    }

    @Test func aJobWithUsedUpAttemptsResolvesWhatItStoredWithoutSigning() {
        var h = H()
        let stored = H.transaction("a", blockhash: 1)
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(1, "a", attempt: 4, maxAttempts: 3, stored: [stored], lastValid: 1_150)]))
        _ = h.handle(.sent([(1, stored.id, .accepted)]))
        _ = h.handle(.blockHeight(1_151))
        #expect(h.handle(.verified(jobID: 1, .absent)).outcomes.isEmpty, "one reading may be a lagging node's")
        let actions = h.absentUntilItLeaves(1)
        #expect(actions.builds.isEmpty)
        #expect(actions.outcomes.map { if case .fail(_, let errorClass, _) = $0 { errorClass } else { "" } } == ["attempts_exhausted"])
        // Had it landed, it would be confirmed.
        var landed = H()
        _ = landed.tick()
        _ = landed.handle(.claimed([H.claimed(1, "a", attempt: 4, maxAttempts: 3, stored: [stored])]))
        _ = landed.handle(.sent([(1, stored.id, .accepted)]))
        _ = landed.tick(after: .seconds(1))
        #expect(landed.handle(.statuses([stored.id: H.status(.finalized)])).outcomes == [.confirm(H.lease(1), signature: stored.id)])
    }

    @Test func somethingElseAtTheMintAddressFailsTheJobNamingIt() {
        var h = H()
        _ = h.following(1, "a", lastValid: 1_150)
        _ = h.handle(.blockHeight(1_151))
        let what = "the mint address \(H.mint("a")) holds an account owned by the program Stake11111111111111111111111111111111111111"
        guard case .fail(_, "mint_address_taken", let message)? = h.handle(.verified(jobID: 1, .foreign(what))).outcomes.first else {
            Issue.record("fails with mint_address_taken")
            return
        }
        #expect(message.contains(H.mint("a").base58) && message.contains("Nothing was created"))
    }

    @Test func unsettledVerdictsAreAskedAgainWithBackoffAndNeverFailTheJob() {
        var h = H()
        _ = h.following(1, "a", lastValid: 1_150)
        _ = h.handle(.blockHeight(1_151))
        var waits: [Duration] = []
        var asked = h.now
        for _ in 0..<8 {
            #expect(h.handle(.verified(jobID: 1, .unknown("the RPC timed out"))).outcomes.isEmpty)
            var next: [VerifyOrder] = []
            while next.isEmpty { next = h.tick(after: .milliseconds(50)).verifies }
            waits.append(h.now - asked)
            asked = h.now
        }
        #expect(waits.first! < .milliseconds(400) && waits.last! > .seconds(20), "from about 250 ms, doubling up to 30 s: \(waits)")
    }

    @Test func aMintNoTransactionOfTheJobCreatedFailsItOnlyOnceNoneCanLandAndAfterPatience() {
        var h = H()
        _ = h.following(1, "a", lastValid: 1_150)
        _ = h.handle(.blockHeight(1_151))
        let start = h.now
        var failedAt: ContinuousClock.Instant?
        var actions = h.handle(.verified(jobID: 1, .unattributed))
        while failedAt == nil && h.now - start < .seconds(300) {
            actions = h.tick(after: .milliseconds(250))
            if !actions.verifies.isEmpty { actions = h.handle(.verified(jobID: 1, .unattributed)) }
            if case .fail(_, "mint_exists_unattributed", _)? = actions.outcomes.first { failedAt = h.now }
        }
        let failed = try! #require(failedAt)
        #expect(failed - start >= .seconds(60))
    }

    @Test func transientBuildFailuresAreRetriedInPlaceThenTheJobGoesBackToTheQueue() {
        var h = H()
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(1, "a")]))
        for _ in 0..<3 {
            #expect(h.handle(.built([(1, .failure(.transient("no blockhash yet")))])).outcomes.isEmpty)
            var again: [BuildOrder] = []
            for _ in 0..<100 where again.isEmpty { again = h.tick(after: .milliseconds(100)).builds }
            #expect(again.count == 1)
        }
        let outcomes = h.handle(.built([(1, .failure(.transient("no blockhash yet")))])).outcomes
        guard case .retry(let lease, "transient", let message, let after)? = outcomes.first else {
            Issue.record("the job goes back to the queue: \(outcomes)")
            return
        }
        #expect(lease == H.lease(1) && message == "no blockhash yet" && after > .zero)
    }

    /// A job that stored transactions before is never failed without a last look at its mint, even when what fails is
    /// building its next transaction.
    @Test func aBuildThatCannotSucceedFailsAJobThatStoredTransactionsOnlyAfterAVerdict() {
        var h = H()
        let first = h.following(1, "a", lastValid: 1_150)
        _ = h.handle(.blockHeight(1_151))
        #expect(h.handle(.verified(jobID: 1, .absent)).builds.count == 1)
        var actions = h.handle(.built([(1, .failure(.permanent(errorClass: "insufficient_funds", "fund the payer")))]))
        #expect(actions.outcomes.isEmpty)
        #expect(actions.verifies.map(\.signatures) == [[first.id]])
        actions = h.absentUntilItLeaves(1)
        #expect(actions.outcomes == [.fail(H.lease(1), errorClass: "insufficient_funds", message: "fund the payer")])
    }

    @Test func aFailedWriteIsWrittenAgainAndALostLeaseDropsTheJob() {
        var h = H()
        let transaction = h.following(1, "a")
        _ = h.tick(after: .seconds(1))
        let outcome = h.handle(.statuses([transaction.id: H.status(.confirmed)])).outcomes
        _ = h.handle(.written(jobID: 1, .failed("PostgreSQL did not answer")))
        var again: [JobOutcome] = []
        for _ in 0..<20 where again.isEmpty { again = h.tick(after: .milliseconds(100)).outcomes }
        #expect(again == outcome)
        _ = h.handle(.written(jobID: 1, .leaseLost))
        #expect(h.machine.inFlightCount == 0)
    }

    /// The preflight is for a payer that may run dry: without a balance, or once what was sent since the reading may
    /// have used it up, the first send goes with it; with a balance that covers twice the transaction, it does not.
    @Test func theFirstSendGoesWithThePreflightUnlessThePayersBalanceCoversIt() {
        func firstSends(_ h: inout H, _ ids: ClosedRange<Int64>, cost: UInt64) -> [Bool] {
            _ = h.handle(.claimed(ids.map { H.claimed($0, "job-\($0)") }))
            var preflights: [Bool] = []
            for id in ids {
                let built = BuiltTransaction(transaction: H.transaction("job-\(id)", blockhash: 1), lastValidBlockHeight: 1_150, maxCost: cost)
                _ = h.handle(.built([(id, .success(built))]))
                preflights += h.handle(.stored([id], of: [id])).sends.map(\.preflight)
            }
            return preflights
        }
        var h = H()
        _ = h.tick()
        #expect(firstSends(&h, 1...2, cost: 4_000_000) == [true, true], "no balance read yet")
        _ = h.handle(.payerBalance(20_000_000))
        // 20 million, less what went out since, against twice 4 million: 20, 16, 12 and 8 million cover it, 4 does not.
        #expect(firstSends(&h, 3...7, cost: 4_000_000) == [false, false, false, false, true])
        _ = h.handle(.payerBalance(20_000_000))
        #expect(firstSends(&h, 8...8, cost: 4_000_000) == [false], "a new reading starts over")

        var always = H { $0.preflight = .always }
        _ = always.tick()
        _ = always.handle(.payerBalance(.max))
        #expect(firstSends(&always, 1...2, cost: 1) == [true, true])
    }

    /// Under an RPC rate limit the sends are paced (here 2 a second, bursts of 2) and claims take no more jobs than
    /// two seconds of sends carry, so that no transaction waits long for its first send and the polls keep their share.
    @Test func sendsArePacedAndClaimsFollowThePace() {
        var h = H {
            $0.sendsPerSecond = 2
            $0.maxInFlight = 100
            $0.claimBatch = 50
        }
        #expect(h.tick().claims.map(\.limit) == [4], "two seconds of sends")
        var actions = h.handle(.claimed((1...4).map { H.claimed(Int64($0), "p\($0)") }))
        #expect(actions.claims.isEmpty, "four unsent jobs already")
        actions = h.handle(.built((1...4).map { (Int64($0), .success(H.built("p\($0)", blockhash: UInt8($0)))) }))
        actions = h.handle(.stored([1, 2, 3, 4], of: [1, 2, 3, 4]))
        #expect(actions.sends.count == 2, "a burst of two")
        actions = h.handle(.sent(actions.sends.map { ($0.jobID, $0.transaction.id, .accepted) }))
        #expect(actions.claims.map(\.limit) == [2], "two jobs sent: room for two more unsent jobs beside the two waiting")
        #expect(h.tick(after: .milliseconds(400)).sends.isEmpty, "0.8 of a send earned")
        #expect(h.tick(after: .milliseconds(100)).sends.count == 1)
    }

    /// A send rate past what two seconds of sends can be counted in (`SOLANA_RPC_SENDS_PER_SECOND=1e19` is a positive
    /// finite number, so the configuration takes it) leaves the claims to the budget alone instead of trapping.
    @Test func aHugeSendRateLeavesClaimsToTheBudgetWithoutTrapping() {
        for rate in [1e19, 1e308, .greatestFiniteMagnitude] {
            var h = H {
                $0.sendsPerSecond = rate
                $0.maxInFlight = 100
                $0.claimBatch = 50
            }
            #expect(h.tick().claims.map(\.limit) == [50], "\(rate) sends a second")
        }
    }

    @Test func shutdownGivesEveryJobBackOnceItsOwnActionAnswersAndClaimsNothing() {
        var h = H()
        _ = h.following(1, "a")
        _ = h.handle(.claimed([H.claimed(2, "b")]))  // building
        var actions = h.handle(.shutdown)
        #expect(actions.outcomes == [.release(H.lease(1))])
        #expect(actions.claims.isEmpty)
        actions = h.handle(.built([(2, .success(H.built("b", blockhash: 2)))]))
        #expect(actions.outcomes == [.release(H.lease(2))] && actions.stores.isEmpty, "built, not stored: given back")
        actions = h.handle(.claimed([H.claimed(3, "c")]))
        #expect(actions.outcomes == [.release(H.lease(3))], "a claim that answers late is given back")
        for id: Int64 in [1, 2, 3] { _ = h.handle(.written(jobID: id, .written)) }
        #expect(h.machine.isFinished)
        #expect(h.tick(after: .seconds(5)).effects.isEmpty)
    }
}
