import FlutterbyeStore
import Foundation
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// A mint none of whose job's transactions shows, on a node whose ledger does not reach back to them: the node cannot
/// say that they did not create it, so the job is never failed as having created nothing. It goes back to the queue
/// with the reason, to look again later (on a node an operator points the worker at).
@Suite struct UnattributableMintTests {
    typealias H = SenderMachineHarness
    static let address = H.mint("a")
    static let enqueuedAt = Date(timeIntervalSince1970: 1_800_000_000)
    static let unattributable = MintVerdict.unattributable("the mint exists; the node's ledger starts later")

    @Test func aNodeCoversAJobOnlyWhenItsLedgerStartsBeforeTheJobWithTheClocksMargin() {
        let before = Int64(Self.enqueuedAt.timeIntervalSince1970) - 3_600
        #expect(LedgerReach(firstSlot: 0, firstBlockTime: nil).covers(enqueuedAt: Self.enqueuedAt), "a ledger from genesis keeps everything")
        #expect(LedgerReach(firstSlot: 9_000, firstBlockTime: before).covers(enqueuedAt: Self.enqueuedAt))
        #expect(!LedgerReach(firstSlot: nil, firstBlockTime: before).covers(enqueuedAt: Self.enqueuedAt), "a node that did not say")
        #expect(!LedgerReach(firstSlot: 9_000, firstBlockTime: nil).covers(enqueuedAt: Self.enqueuedAt), "a first block without a time")
        let later = Int64(Self.enqueuedAt.timeIntervalSince1970) + 86_400
        #expect(!LedgerReach(firstSlot: 9_000, firstBlockTime: later).covers(enqueuedAt: Self.enqueuedAt), "pruned after the job")
        let justBefore = Int64(Self.enqueuedAt.timeIntervalSince1970) - 60
        #expect(!LedgerReach(firstSlot: 9_000, firstBlockTime: justBefore).covers(enqueuedAt: Self.enqueuedAt), "within the clocks' margin")
    }

    @Test func onlyAnUnattributedMintOnANodeThatCannotTellBecomesUnattributable() {
        let pruned = LedgerReach(firstSlot: 9_000, firstBlockTime: Int64(Self.enqueuedAt.timeIntervalSince1970) + 86_400)
        let settled = pruned.settle(.unattributed, enqueuedAt: Self.enqueuedAt, address: Self.address, transactions: 2)
        guard case .unattributable(let detail) = settled else {
            Issue.record("\(settled)")
            return
        }
        #expect(detail.contains(Self.address.base58) && detail.contains("slot 9000") && detail.contains("2 transaction(s)"), "\(detail)")
        for verdict: MintVerdict in [.absent, .created(by: H.transaction("a", blockhash: 1).id, confirmed: true), .foreign("x"), .unknown("y")] {
            #expect(pruned.settle(verdict, enqueuedAt: Self.enqueuedAt, address: Self.address, transactions: 1) == verdict)
        }
        let full = LedgerReach(firstSlot: 0, firstBlockTime: nil)
        #expect(full.settle(.unattributed, enqueuedAt: Self.enqueuedAt, address: Self.address, transactions: 1) == .unattributed)
    }

    /// A job that stored no transaction (its build found the address in use) can have created nothing, whatever the
    /// node keeps: its mint stays unattributed. The second look skipped nothing for it, so asked nothing, and with no
    /// ledger start it turned unattributable: back to the queue every 10 minutes "as its token may exist".
    @Test func aJobWithoutTransactionsIsNeverUnattributable() {
        let pruned = LedgerReach(firstSlot: 9_000, firstBlockTime: Int64(Self.enqueuedAt.timeIntervalSince1970) + 86_400)
        #expect(pruned.settle(.unattributed, enqueuedAt: Self.enqueuedAt, address: Self.address, transactions: 0) == .unattributed)
        let orders = [Self.order(1, signatures: []), Self.order(2, signatures: [H.transaction("b", blockhash: 1).id])]
        #expect(SecondLook.jobs([.unattributed, .unattributed], orders) == [1])
    }

    /// The second look failing (a broken batch, a timeout) leaves the verdicts of the other jobs verified with it: a
    /// confirmed creator is still a confirmed creator. Only the jobs looked at again are unknown.
    @Test func aFailedSecondLookLeavesTheOtherJobsVerdicts() {
        let created = MintVerdict.created(by: H.transaction("a", blockhash: 1).id, confirmed: true)
        let orders = [
            Self.order(1, signatures: [H.transaction("a", blockhash: 1).id]), Self.order(2, signatures: [H.transaction("b", blockhash: 1).id]),
        ]
        let verdicts = SecondLook.verdicts(
            [created, .unattributed], orders: orders, accounts: [nil, nil], looked: [1],
            answer: .failure(RPCError(.timeout, "getSignatureStatuses timed out")))
        #expect(verdicts.first == created)
        guard case .unknown? = verdicts.last else {
            Issue.record("\(verdicts)")
            return
        }
    }

    static func order(_ id: Int64, signatures: [Signature]) -> VerifyOrder {
        VerifyOrder(
            jobID: id, expected: MintExpectation(address: address, program: .token, decimals: 2, mintAuthority: H.payer.publicKey),
            signatures: signatures, enqueuedAt: enqueuedAt)
    }

    @Test func anUnattributableMintSendsTheJobBackToTheQueueAndNeverFailsIt() {
        var h = H()
        _ = h.following(1, "a", lastValid: 1_150)
        #expect(h.handle(.blockHeight(1_151)).verifies.count == 1, "expired: its mint is looked at")
        let actions = h.handle(.verified(jobID: 1, Self.unattributable))
        guard case .retry(_, let errorClass, let message, let after)? = actions.outcomes.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(errorClass == "mint_unattributable" && after == .seconds(600))
        #expect(message.contains("not failed") && message.contains("SOLANA_RPC_URL"), "\(message)")
    }

    @Test func aJobWhoseAttemptsAreUsedUpIsNotFailedForAnUnattributableMint() {
        var h = H()
        _ = h.tick()
        let stored = H.transaction("a", blockhash: 1)
        var claimed = H.claimed(1, "a", attempt: 25, maxAttempts: 25, stored: [stored])
        claimed.job.rawTransaction = nil
        claimed.job.lastValidBlockHeight = nil
        #expect(h.handle(.claimed([claimed])).verifies.count == 1)
        let outcome = h.handle(.verified(jobID: 1, Self.unattributable)).outcomes.first
        guard case .retry(_, "mint_unattributable", _, _)? = outcome else {
            Issue.record("\(String(describing: outcome))")
            return
        }
    }
}
