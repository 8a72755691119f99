import FlutterbyeStore
import Foundation
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// Jobs whose transactions expire together are verified together: one getMultipleAccounts and one
/// getSignatureStatuses for all of them, as the status poll asks for all transactions in flight at once.
@Suite struct VerifyBatchTests {
    typealias H = SenderMachineHarness

    /// The chain stalls and every transaction in flight expires at the same block height: each job asked on its own
    /// (one getAccountInfo, then one getSignatureStatuses), 2 × N calls in one burst, unpaced, where one action, one
    /// getMultipleAccounts and one getSignatureStatuses for all the jobs, does (as the status poll does).
    @Test func jobsThatExpireTogetherAreVerifiedTogether() {
        var h = H()
        _ = h.tick()
        _ = h.handle(.claimed((1...8).map { H.claimed(Int64($0), "v\($0)") }))
        _ = h.handle(.built((1...8).map { (Int64($0), .success(H.built("v\($0)", blockhash: UInt8($0), lastValid: 1_150))) }))
        let sends = h.handle(.stored(Set(1...8), of: Array(1...8))).sends
        _ = h.handle(.sent(sends.map { ($0.jobID, $0.transaction.id, .accepted) }))
        let actions = h.handle(.blockHeight(1_151))
        let verifyActions = actions.filter { if case .verify = $0 { true } else { false } }
        #expect(verifyActions.count == 1, "\(verifyActions.count) verify actions (\(2 * verifyActions.count) RPC calls) for 8 jobs expiring together")
        #expect(actions.verifies.map(\.jobID) == Array(1...8))
    }
}
