import FlutterbyeStore
import Foundation
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// A resumed job whose token's authority its holder has changed since, verified on a node that cannot show the job's
/// transaction: never failed as having created nothing.
@Suite struct ChangedAuthorityResumeTests {
    typealias H = SenderMachineHarness

    /// The verdict `TokenSender.verify` gets for `order` (as `SolanaRPCClient.mintVerdicts` makes it): the first look
    /// (`account`, the job's statuses as the node shows them), then for a mint judged unattributed the second look,
    /// whose node's ledger starts a day after the job was enqueued (a provider without the transaction history, or
    /// workers away for days): it shows none of the job's transactions, and cannot.
    static func verdictFromANodeWithoutTheJobsHistory(_ order: VerifyOrder, account: AccountInfo) -> MintVerdict {
        let first = [
            MintVerdict.judge(account: account, signatures: order.signatures, statuses: order.signatures.map { _ in nil }, expected: order.expected)
        ]
        let looked = SecondLook.jobs(first, [order])
        guard !looked.isEmpty else { return first[0] }
        let reach = LedgerReach(firstSlot: 90_000_000, firstBlockTime: Int64(order.enqueuedAt.timeIntervalSince1970) + 86_400)
        let answer = SecondLook.Answer(statuses: order.signatures.map { _ in nil }, reach: reach)
        return SecondLook.verdicts(first, orders: [order], accounts: [account], looked: looked, answer: .success(answer))[0]
    }

    /// The job handed its mint authority to an escrow (an issuer choice). Its transaction created the token; the
    /// worker died before confirming it, and the escrow then revoked the mint authority, as it may (what
    /// `ChangedAuthorityTests` covers when the node shows the job's transaction). The job is resumed on a node whose
    /// ledger starts after the job, so it cannot show the transaction: the README's promise is that such a node never
    /// fails the job (`mint_unattributable`, back to the queue), and so it goes when the escrow left the authority as
    /// it was. With the authority changed, the mint is judged `foreign` before the node's reach is ever asked, and the
    /// job fails as `mint_address_taken`: "it is not this job's token ... Nothing was created; enqueue the token under
    /// a new idempotency key" — while its token exists (and the backend, told so, makes a second one).
    @Test func aResumedJobWhoseTokensAuthorityWasChangedIsNotFailedByANodeThatCannotShowItsTransaction() {
        let escrow = ChangedAuthorityTests.escrow
        var outcomes: [String: [JobOutcome]] = [:]
        for (name, authorityNow) in [("unchanged", Optional(escrow)), ("revoked by the escrow", nil)] {
            var h = H()
            let stored = H.transaction("a", blockhash: 1)
            var resumed = H.claimed(1, "a", stored: [stored], lastValid: 1_150)
            resumed.job.request.mintAuthority = escrow.base58
            _ = h.tick()
            _ = h.handle(.claimed([resumed]))
            _ = h.handle(.sent([(1, stored.id, .accepted)]))
            _ = h.tick(after: .seconds(1))
            _ = h.handle(.statuses([stored.id: nil]))
            guard let order = h.handle(.blockHeight(1_400)).verifies.first else {
                Issue.record("no verification after the expiry")
                return
            }
            let verdict = Self.verdictFromANodeWithoutTheJobsHistory(order, account: ChangedAuthorityTests.mintAccount(authority: authorityNow))
            outcomes[name] = h.handle(.verified(jobID: 1, verdict)).outcomes
        }
        let unchanged = outcomes["unchanged"] ?? []
        let revoked = outcomes["revoked by the escrow"] ?? []
        #expect(
            unchanged.allSatisfy { if case .retry(_, "mint_unattributable", _, _) = $0 { true } else { false } } && unchanged.count == 1,
            "\(unchanged)")
        #expect(
            !revoked.contains { if case .fail = $0 { true } else { false } },
            "failed while its token exists, because the escrow changed the token's authority: \(revoked)")
    }
}
