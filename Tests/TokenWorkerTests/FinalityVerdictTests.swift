import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// The finalizer's decision on a confirmed job: finalized when its transaction is; abandoned (run again) only when the
/// chain has none of its transactions, none can land, and its mint address holds no mint; otherwise it waits.
@Suite struct FinalityVerdictTests {
    static let mint = try! Keypair(seed: [UInt8](repeating: 4, count: 32)).publicKey
    static let confirmed = try! Keypair(seed: [UInt8](repeating: 5, count: 32)).sign([1])

    static func status(_ level: Commitment, failed: Bool = false) -> SignatureStatus {
        SignatureStatus(slot: 5, error: failed ? ["InstructionError": [0, ["Custom": 0]]] : nil, confirmationStatus: level)
    }

    static func judge(
        _ account: AccountInfo?, _ statuses: [SignatureStatus?], height: UInt64 = 1_000, lastValid: UInt64? = 900
    ) -> FinalityVerdict {
        FinalityVerdict.judge(
            confirmed: confirmed, mint: mint, account: account, statuses: statuses, finalizedBlockHeight: height, lastValidBlockHeight: lastValid)
    }

    static let lamportsOnly = AccountInfo(lamports: 1_000_000, owner: SystemProgram.programID, data: [], executable: false)
    static let aMint = AccountInfo(
        lamports: 1_461_600, owner: TokenProgram.token.programID, data: [UInt8](repeating: 0, count: 82), executable: false)

    @Test func theConfirmedTransactionsStatusDecidesFirst() {
        #expect(FinalityVerdict.judge(status: Self.status(.finalized)) == .finalized)
        #expect(FinalityVerdict.judge(status: Self.status(.confirmed)) == .waiting)
        #expect(FinalityVerdict.judge(status: Self.status(.processed)) == .waiting)
        #expect(FinalityVerdict.judge(status: nil) == .doubtful)
        // The same signature failing on the chain that won: it created nothing.
        #expect(FinalityVerdict.judge(status: Self.status(.finalized, failed: true)) == .doubtful)
    }

    @Test func abandonedOnlyWhenNothingOfTheJobIsOnTheChainAndNothingCanLand() {
        for account in [nil, Self.lamportsOnly] {
            guard case .abandoned(let message) = Self.judge(account, [nil, Self.status(.finalized, failed: true)]) else {
                Issue.record("abandoned with \(String(describing: account))")
                continue
            }
            #expect(message.contains(Self.confirmed.base58) && message.contains(Self.mint.base58) && message.contains("900"))
        }
    }

    @Test func anythingThatMayBeTheTokenWaits() {
        // One of the job's transactions succeeded: the token may be its.
        #expect(Self.judge(nil, [nil, Self.status(.finalized)]) == .waiting)
        #expect(Self.judge(nil, [Self.status(.processed)]) == .waiting)
        // Something is at the mint address (the job's mint, whose transaction the node no longer knows, or another's).
        #expect(Self.judge(Self.aMint, [nil]) == .waiting)
        #expect(Self.judge(AccountInfo(lamports: 1, owner: SystemProgram.programID, data: [0], executable: false), [nil]) == .waiting)
    }

    @Test func aTransactionThatCanStillLandWaits() {
        #expect(Self.judge(nil, [nil], height: 900, lastValid: 900) == .waiting)
        #expect(Self.judge(nil, [nil], height: 10, lastValid: 900) == .waiting)
        // No block height stored (a row written by hand): nothing proves it expired.
        #expect(Self.judge(nil, [nil], lastValid: nil) == .waiting)
        #expect(Self.judge(nil, [nil], height: 901, lastValid: 900) != .waiting)
    }
}
