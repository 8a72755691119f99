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
        guard accounts.count == jobs.count, let perJob = statuses.splitPerJob(jobs.map(\.signatures.count)) else { return nil }
        return Array(zip(accounts, perJob))
    }
}

extension SolanaRPCClient {
    /// The verdicts on `orders`' tokens (`MintVerdict.judge`), each in its place; nil when the answers do not line up
    /// with what was asked. A mint judged unattributed (none of its job's transactions shows) is looked at once more
    /// (`SecondLook`): its job's statuses asked again with the node's first available block in the same batch, and
    /// that block's time, so that a node which no longer keeps the blocks the transactions would be in does not fail a
    /// job whose token it created.
    func mintVerdicts(_ orders: [VerifyOrder]) async throws(RPCError) -> [MintVerdict]? {
        guard let reads = try await mintsAndStatuses(orders.map { ($0.expected.address, $0.signatures) }, commitment: .confirmed) else {
            return nil
        }
        let first = zip(orders, reads).map { order, read in
            MintVerdict.judge(account: read.account, signatures: order.signatures, statuses: read.statuses, expected: order.expected)
        }
        let looked = SecondLook.jobs(first, orders)
        guard !looked.isEmpty else { return first }
        let answer: Result<SecondLook.Answer, RPCError>
        do {
            let (statuses, ledgerStart) = try await statusesWithLedgerStart(looked.flatMap { orders[$0].signatures })
            var reach = LedgerReach(firstSlot: ledgerStart, firstBlockTime: nil)
            if let slot = ledgerStart, slot > 0 {
                // A node that keeps no time for its first block (or fails to say) leaves the reach unknown: not covered.
                reach.firstBlockTime = try? await blockTime(slot: slot)
            }
            answer = .success(SecondLook.Answer(statuses: statuses, reach: reach))
        } catch {
            answer = .failure(error)
        }
        return SecondLook.verdicts(first, orders: orders, accounts: reads.map(\.account), looked: looked, answer: answer)
    }
}

extension Array {
    /// The elements of several jobs' answers, asked in one call job after job, cut back per job (`counts[i]` for job
    /// i); nil when there are not exactly as many as asked.
    func splitPerJob(_ counts: [Int]) -> [[Element]]? {
        guard count == counts.reduce(0, +) else { return nil }
        var offset = 0
        return counts.map { size in
            defer { offset += size }
            return Array(self[offset..<offset + size])
        }
    }
}
