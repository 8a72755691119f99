import FlutterbyeStore
import Foundation
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// The sender's decisions without I/O: every event a worker can meet, and what it does then. The jobs' transactions
/// land once, a job is never failed while one of its transactions could land, and nothing is sent under a lost lease.
@Suite struct SenderMachineTests {
    typealias H = SenderMachineHarness

    static func expectation(_ key: String, address: PublicKey? = nil) -> MintExpectation {
        MintExpectation(address: address ?? H.mint(key), program: .token, decimals: 2, mintAuthority: H.payer.publicKey)
    }

    @Test func aJobGoesFromClaimToConfirmationWithOneSendAndItsPolls() throws {
        var h = H()
        var actions = h.tick()
        #expect(actions.claims.map(\.limit) == [4] && actions.claims.first?.excluding == [])
        actions = h.handle(.claimed([H.claimed(1, "a")]))
        #expect(
            actions.builds == [
                BuildOrder(jobID: 1, idempotencyKey: "a", plan: try #require(actions.builds.first?.plan), mint: H.mint("a"), simulateOwnUnits: false)
            ])
        #expect(actions.claims.isEmpty, "the claim came back short: the next one waits for a notification or the poll interval")
        let built = H.built("a", blockhash: 1)
        let signature = built.transaction.id
        actions = h.handle(.built([(1, .success(built))]))
        #expect(
            actions.stores == [
                TransactionSubmission(
                    lease: H.lease(1), mintAddress: H.mint("a").base58, signature: signature.base58, rawTransaction: built.transaction.serialized(),
                    lastValidBlockHeight: 1_150)
            ])
        #expect(actions.sends.isEmpty, "nothing is sent before it is stored")
        actions = h.handle(.stored([1], of: [1]))
        #expect(actions.sends == [SendOrder(jobID: 1, transaction: built.transaction, preflight: true)])
        #expect(actions.polls.isEmpty, "nothing to poll before the first send is answered")
        actions = h.handle(.sent([(1, signature, .accepted)]))
        #expect(actions.polls == [[signature]])
        #expect(h.tick(after: .milliseconds(100)).effects.isEmpty, "one poll at a time, and no rebroadcast yet")
        #expect(h.handle(.statuses([signature: H.status(.processed)])).effects.isEmpty)
        #expect(h.tick(after: .milliseconds(400)).polls == [[signature]])
        actions = h.handle(.statuses([signature: H.status(.confirmed)]))
        #expect(actions.outcomes == [.confirm(H.lease(1), signature: signature)])
        actions = h.handle(.written(jobID: 1, .written))
        #expect(h.machine.inFlightCount == 0)
        #expect(actions.claims.map(\.limit) == [4], "a job left: claim again at once")
    }

    @Test func aDroppedSendIsRebroadcastOnTheSharedScheduleWithoutPreflightUntilAStatusShowsIt() {
        var h = H()
        let transaction = h.following(1, "a")
        let signature = transaction.id
        _ = h.handle(.statuses([signature: nil]))
        #expect(h.tick(after: .milliseconds(1_000)).sends.isEmpty)
        let round = h.tick(after: .milliseconds(1_100))
        #expect(round.sends == [SendOrder(jobID: 1, transaction: transaction, preflight: false)])
        _ = h.handle(.sent([(1, signature, .accepted)]))
        _ = h.handle(.statuses([signature: H.status(.processed)]))
        for _ in 0..<5 { #expect(h.tick(after: .seconds(2)).sends.isEmpty, "a processed transaction is not sent again") }
        // The node lost it (a fork dropped its block): sent again.
        _ = h.handle(.statuses([signature: nil]))
        #expect(h.tick(after: .seconds(2)).sends.count == 1)
    }

    @Test func aJobIsConfirmedOnlyByOneOfItsOwnTransactions() {
        var h = H()
        let transaction = h.following(1, "a")
        let stranger = H.transaction("someone else", blockhash: 9).id
        #expect(h.handle(.statuses([stranger: H.status(.finalized), transaction.id: nil])).outcomes.isEmpty)
    }

    @Test func anExpiredTransactionIsLookedForThenSignedAgainAndBothArePolled() {
        var h = H()
        let first = h.following(1, "a", lastValid: 1_150)
        _ = h.handle(.statuses([first.id: nil]))
        #expect(h.handle(.blockHeight(1_150)).verifies.isEmpty, "still valid at its last valid block height")
        let verify = h.handle(.blockHeight(1_151)).verifies
        #expect(verify == [VerifyOrder(jobID: 1, expected: Self.expectation("a"), signatures: [first.id], enqueuedAt: H.enqueuedAt)])
        let rebuild = h.handle(.verified(jobID: 1, .absent)).builds
        #expect(rebuild.map(\.jobID) == [1] && rebuild.first?.simulateOwnUnits == false)
        let second = H.built("a", blockhash: 2, lastValid: 1_300)
        _ = h.handle(.built([(1, .success(second))]))
        #expect(h.handle(.stored([1], of: [1])).sends == [SendOrder(jobID: 1, transaction: second.transaction, preflight: true)])
        _ = h.handle(.sent([(1, second.transaction.id, .accepted)]))
        #expect(h.tick(after: .seconds(1)).polls == [[first.id, second.transaction.id]])
    }

    @Test func noExpiryDecisionWhileASendIsUnderWay() {
        var h = H()
        let first = h.following(1, "a", lastValid: 1_150)
        _ = h.tick(after: .milliseconds(2_100))  // the rebroadcast round: a send is under way
        #expect(h.handle(.blockHeight(1_200)).verifies.isEmpty)
        #expect(h.handle(.sent([(1, first.id, .accepted)])).verifies.count == 1, "once the send answered")
    }

    /// A lagging endpoint showed neither the first transaction nor the mint: the worker signed again; the second finds
    /// the mint in use, and the job is the first one's.
    @Test(arguments: [false, true])
    func aSecondTransactionThatFindsTheMintInUseConfirmsTheFirst(refusedByPreflight: Bool) {
        var h = H()
        let first = h.following(1, "a", lastValid: 1_150)
        _ = h.handle(.statuses([first.id: nil]))
        _ = h.handle(.blockHeight(1_151))
        _ = h.handle(.verified(jobID: 1, .absent))
        let second = H.built("a", blockhash: 2, lastValid: 1_300)
        _ = h.handle(.built([(1, .success(second))]))
        _ = h.handle(.stored([1], of: [1]))
        var actions: [SenderAction]
        if refusedByPreflight {
            actions = h.handle(.sent([(1, second.transaction.id, .refused(.addressInUse("Allocate: account already in use")))]))
        } else {
            _ = h.handle(.sent([(1, second.transaction.id, .accepted)]))
            actions = h.tick(after: .seconds(1))
            #expect(actions.polls == [[first.id, second.transaction.id]])
            actions = h.handle(
                .statuses([first.id: nil, second.transaction.id: H.status(.confirmed, error: ["InstructionError": [3, ["Custom": 0]]])]))
        }
        #expect(
            actions.verifies == [
                VerifyOrder(jobID: 1, expected: Self.expectation("a"), signatures: [first.id, second.transaction.id], enqueuedAt: H.enqueuedAt)
            ])
        #expect(actions.outcomes.isEmpty, "never failed before the verdict")
        // The endpoint still lags: absent contradicts the chain's "in use", so the worker looks again, never fails.
        #expect(h.handle(.verified(jobID: 1, .absent)).outcomes.isEmpty)
        var again: [VerifyOrder] = []
        for _ in 0..<20 where again.isEmpty { again = h.tick(after: .milliseconds(100)).verifies }
        #expect(again.count == 1)
        // The endpoint caught up: the mint is there, created by the first transaction.
        actions = h.handle(.verified(jobID: 1, .created(by: first.id, confirmed: true)))
        #expect(actions.outcomes == [.confirm(H.lease(1), signature: first.id)])
    }

    /// The chain said the address is in use, the node reads nothing there: it lags, so ask again (never fail).
    @Test func anAddressInUseThatReadsAbsentIsLookedAtAgain() {
        var h = H()
        let transaction = H.built("a", blockhash: 1)
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(1, "a")]))
        _ = h.handle(.built([(1, .success(transaction))]))
        _ = h.handle(.stored([1], of: [1]))
        _ = h.handle(.sent([(1, transaction.transaction.id, .refused(.addressInUse("already in use")))]))
        for _ in 0..<6 {
            #expect(h.handle(.verified(jobID: 1, .absent)).outcomes.isEmpty)
            var next: [VerifyOrder] = []
            for _ in 0..<200 where next.isEmpty { next = h.tick(after: .milliseconds(250)).verifies }
            #expect(next.count == 1)
        }
    }

    /// The RPC answers every poll with 429s or errors for minutes: the job waits (renewing its lease) and confirms once
    /// the RPC answers again.
    @Test func aJobIsNeverFailedWhileItsTransactionCouldLand() {
        var h = H()
        let transaction = h.following(1, "a", lastValid: 1_150)
        var outcomes = h.handle(.statusPollFailed("HTTP 429 Too Many Requests")).outcomes
        for second in 1...300 {
            let actions = h.tick(after: .seconds(1))
            outcomes += actions.outcomes
            if actions.polls.count == 1 { outcomes += h.handle(.statusPollFailed("HTTP 429 Too Many Requests")).outcomes }
            if let renewal = actions.renewals.first {
                outcomes += h.handle(.leasesRenewed(held: [1], asked: renewal, askedAt: h.now)).outcomes
            }
            if second % 7 == 0 { outcomes += h.handle(.blockHeight(1_100)).outcomes }
        }
        #expect(outcomes.isEmpty)
        _ = h.tick(after: .seconds(1))
        #expect(h.handle(.statuses([transaction.id: H.status(.confirmed)])).outcomes == [.confirm(H.lease(1), signature: transaction.id)])
    }

    @Test func aPreflightRefusalFailsTheJobOnlyOnceTheVerdictSaysItsTokenDoesNotExist() throws {
        var h = H()
        let built = H.built("a", blockhash: 1)
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(1, "a")]))
        _ = h.handle(.built([(1, .success(built))]))
        _ = h.handle(.stored([1], of: [1]))
        var actions = h.handle(.sent([(1, built.transaction.id, .refused(.insufficientFunds(#"{"InsufficientFundsForFee"}"#)))]))
        #expect(actions.outcomes.isEmpty)
        #expect(actions.verifies.count == 1)
        actions = h.handle(.verified(jobID: 1, .absent))
        guard case .fail(let lease, let errorClass, let message)? = actions.outcomes.first else {
            Issue.record("the job fails: \(actions)")
            return
        }
        #expect(lease == H.lease(1) && errorClass == "insufficient_funds")
        #expect(message.contains(H.payer.publicKey.base58) && message.contains("fund it"))
    }

    @Test func aTransactionThatLandedFailingFailsTheJobWhenItsTokenDoesNotExist() {
        var h = H()
        let transaction = h.following(1, "a")
        let actions = h.handle(.statuses([transaction.id: H.status(.confirmed, error: ["InstructionError": [5, ["Custom": 1]]])]))
        #expect(actions.verifies.count == 1 && actions.outcomes.isEmpty)
        guard case .fail(_, let errorClass, let message)? = h.handle(.verified(jobID: 1, .absent)).outcomes.first else {
            Issue.record("the job fails")
            return
        }
        #expect(errorClass == "transaction_failed" && message.contains(transaction.id.base58) && message.contains("Custom"))
    }

    /// Sent without the preflight, a transaction whose shape's calibration fell short lands and runs out of compute
    /// units: that is the worker's estimate, not the job's fault. Once the verdict says no token, it is built again.
    @Test(arguments: ["ComputationalBudgetExceeded", "ProgramFailedToComplete"])
    func aTransactionThatRanOutOfComputeOnChainIsBuiltAgainNotFailed(error: String) {
        var h = H()
        let transaction = h.following(1, "a")
        let actions = h.handle(.statuses([transaction.id: H.status(.confirmed, error: ["InstructionError": [6, .string(error)]])]))
        #expect(actions.verifies.count == 1 && actions.outcomes.isEmpty)
        let rebuild = h.handle(.verified(jobID: 1, .absent))
        #expect(rebuild.builds.map(\.simulateOwnUnits) == [true])
        #expect(rebuild.outcomes.isEmpty)
    }

    @Test func aTransactionOutOfComputeUnitsIsBuiltAgainWithASimulationOfItsOwn() {
        var h = H()
        let built = H.built("a", blockhash: 1)
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(1, "a")]))
        _ = h.handle(.built([(1, .success(built))]))
        _ = h.handle(.stored([1], of: [1]))
        let actions = h.handle(.sent([(1, built.transaction.id, .refused(.computeBudgetExceeded("exceeded CUs meter")))]))
        #expect(actions.builds.map(\.simulateOwnUnits) == [true])
        #expect(actions.outcomes.isEmpty && actions.verifies.isEmpty)
    }

    @Test(arguments: [SendOutcome.refused(.blockhashNotFound), .notSent("HTTP 413")])
    func aFirstSendTheNodeDidNotTakeIsRepeatedWithThePreflight(outcome: SendOutcome) {
        var h = H()
        let built = H.built("a", blockhash: 1)
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(1, "a")]))
        _ = h.handle(.built([(1, .success(built))]))
        _ = h.handle(.stored([1], of: [1]))
        #expect(h.handle(.sent([(jobID: Int64(1), signature: built.transaction.id, outcome: outcome)])).sends.isEmpty)
        #expect(h.tick(after: .milliseconds(400)).sends == [SendOrder(jobID: 1, transaction: built.transaction, preflight: true)])
    }

    @Test func anAmbiguousFirstSendIsFollowedAsSentAndRebroadcastWithoutThePreflight() {
        var h = H()
        let built = H.built("a", blockhash: 1)
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(1, "a")]))
        _ = h.handle(.built([(1, .success(built))]))
        _ = h.handle(.stored([1], of: [1]))
        let actions = h.handle(.sent([(1, built.transaction.id, .ambiguous("HTTP 503: it may have landed"))]))
        #expect(actions.polls == [[built.transaction.id]])
        var sends: [SendOrder] = []
        for _ in 0..<3 { sends += h.tick(after: .seconds(1)).sends }
        #expect(sends == [SendOrder(jobID: 1, transaction: built.transaction, preflight: false)])
    }

    /// A send held by the node lands some slots later: the job waits for it and signs nothing else.
    @Test func aTransactionThatLandsLateIsWaitedForNotReplaced() {
        var h = H()
        let transaction = h.following(1, "a", lastValid: 1_150)
        var builds: [BuildOrder] = []
        for height in stride(from: UInt64(1_000), through: 1_140, by: 20) {
            builds += h.tick(after: .milliseconds(400)).builds
            builds += h.handle(.statuses([transaction.id: nil])).builds
            builds += h.handle(.blockHeight(height)).builds
        }
        #expect(builds.isEmpty)
        _ = h.tick(after: .milliseconds(400))
        #expect(h.handle(.statuses([transaction.id: H.status(.confirmed)])).outcomes == [.confirm(H.lease(1), signature: transaction.id)])
    }
}
