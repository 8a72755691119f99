import FlutterbyeStore
import Foundation
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// A token one of the job's own transactions created stays the job's after the holder of its mint or freeze
/// authority (an address the job handed it to) changed it: the job is confirmed, never failed as someone else's mint.
@Suite struct ChangedAuthorityTests {
    typealias H = SenderMachineHarness
    typealias T = MintVerdictTests

    static let escrow = try! Keypair(seed: [UInt8](repeating: 5, count: 32)).publicKey

    /// A classic-token mint account with `authority` as its mint authority, as the chain shows it.
    static func mintAccount(authority: PublicKey?, decimals: UInt8 = 2) -> AccountInfo {
        T.account(owner: TokenProgram.token.programID, data: Array(T.mintData(authority: authority, decimals: decimals).prefix(82)))
    }

    /// The job handed its mint authority to an escrow; its own transaction created the mint, and the escrow then
    /// revoked (or moved) the authority, as it is entitled to. The verdict must still say the job's transaction
    /// created its token: the mint was initialized by it, with the job's authorities.
    @Test func aMintTheJobsOwnTransactionCreatedIsTheJobsAfterItsAuthorityHolderChangedIt() throws {
        let plan = try TokenCreationPlan(
            program: .token2022, decimals: 6, name: "n", symbol: "s", uri: "u", amount: 1_000, recipient: H.recipient, memo: nil,
            choices: IssuerChoices(mintAuthority: .address(Self.escrow)))
        let expected = MintExpectation(address: T.address, plan: plan, service: T.authority)
        let newHolder = try Keypair(seed: [UInt8](repeating: 6, count: 32)).publicKey
        let changes: [PublicKey?] = [nil, T.authority, newHolder]
        for holderSetsItTo in changes {
            let verdict = MintVerdict.judge(
                account: T.account(data: T.mintData(authority: holderSetsItTo)), signatures: [T.mine[0]], statuses: [T.status(.finalized)],
                expected: expected)
            #expect(
                verdict == .created(by: T.mine[0], confirmed: true),
                "the escrow set the mint authority to \(holderSetsItTo.map { "\($0)" } ?? "none")")
        }
    }

    /// End to end in the machine: the worker crashed after sending; the job is resumed minutes later, when its
    /// transaction (finalized) is past the node's status cache, so the poll shows nothing and the stored transaction
    /// expires. The verification finds the job's mint, created by the job's own finalized transaction, whose mint
    /// authority the escrow has since revoked. The job must be confirmed, not failed as "mint_address_taken ... Nothing
    /// was created".
    @Test func aResumedJobWhoseTokensAuthorityWasChangedSinceIsConfirmedNotFailed() {
        var h = H()
        let stored = H.transaction("a", blockhash: 1)
        var resumed = H.claimed(1, "a", stored: [stored], lastValid: 1_150)
        resumed.job.request.mintAuthority = Self.escrow.base58
        _ = h.tick()
        _ = h.handle(.claimed([resumed]))
        _ = h.handle(.sent([(1, stored.id, .accepted)]))
        _ = h.tick(after: .seconds(1))
        _ = h.handle(.statuses([stored.id: nil]))  // searchTransactionHistory: false, and it landed long ago
        let orders = h.handle(.blockHeight(1_400)).verifies
        #expect(orders.count == 1)
        guard let order = orders.first else { return }
        #expect(order.expected.mintAuthority == Self.escrow)
        // What `TokenSender.verify` answers: the account (mint authority revoked by the escrow) and the job's statuses
        // with history (its transaction finalized).
        let verdict = MintVerdict.judge(
            account: Self.mintAccount(authority: nil), signatures: order.signatures, statuses: [H.status(.finalized)], expected: order.expected)
        let outcomes = h.handle(.verified(jobID: 1, verdict)).outcomes
        #expect(outcomes == [.confirm(H.lease(1), signature: stored.id)], "verdict \(verdict)")
    }
}
