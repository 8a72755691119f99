import SolanaCore
import SolanaRPC

extension SolanaRPCClient {
    /// What the chain shows of some jobs' tokens: each one's mint account (at `commitment`) and the statuses of its
    /// transactions (with the history), in two calls for all of them: one `getMultipleAccounts`, one
    /// `getSignatureStatuses`. Nil when the answers do not line up with what was asked (the client checks each call's
    /// length; this is the last check before the statuses are split per job).
    func mintsAndStatuses(
        _ jobs: [(mint: PublicKey, signatures: [Signature])], commitment: Commitment
    ) async throws(RPCError) -> [(account: AccountInfo?, statuses: [SignatureStatus?])]? {
        let accounts = try await multipleAccounts(jobs.map(\.mint), commitment: commitment)
        let statuses = try await signatureStatuses(jobs.flatMap(\.signatures), searchTransactionHistory: true)
        guard accounts.count == jobs.count, statuses.count == jobs.reduce(0, { $0 + $1.signatures.count }) else { return nil }
        var offset = 0
        return zip(jobs, accounts).map { job, account in
            defer { offset += job.signatures.count }
            return (account, Array(statuses[offset..<offset + job.signatures.count]))
        }
    }
}
