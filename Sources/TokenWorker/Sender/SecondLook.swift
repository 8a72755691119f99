public import SolanaRPC

/// The second look at mints judged unattributed (none of their job's transactions shows), as values: which jobs it
/// takes, and their verdicts once the node answered (`SolanaRPCClient.mintVerdicts` makes the calls). The node says
/// again what it knows of the jobs' transactions, with where its ledger starts (`LedgerReach`): an unattributed mint
/// stays so only on a node that could have shown them.
public enum SecondLook {
    /// What the node answered: the statuses of the looked-at jobs' signatures, job after job, and its ledger's reach.
    public struct Answer: Sendable {
        public var statuses: [SignatureStatus?]
        public var reach: LedgerReach

        public init(statuses: [SignatureStatus?], reach: LedgerReach) {
            self.statuses = statuses
            self.reach = reach
        }
    }

    /// The indices of `orders` whose verdict in `first` calls for a second look: unattributed, with transactions (a
    /// job that stored none can have created nothing, whatever the node keeps).
    public static func jobs(_ first: [MintVerdict], _ orders: [VerifyOrder]) -> [Int] {
        orders.indices.filter { $0 < first.count && first[$0] == .unattributed && !orders[$0].signatures.isEmpty }
    }

    /// `first` with the jobs at `looked` judged again on `answer` (`accounts[i]`: the mint account read for
    /// `orders[i]`). When the second look failed, or answered for other transactions than asked, those jobs' verdicts
    /// are unknown (asked again later); the other jobs' stand.
    public static func verdicts(
        _ first: [MintVerdict], orders: [VerifyOrder], accounts: [AccountInfo?], looked: [Int], answer: Result<Answer, RPCError>
    ) -> [MintVerdict] {
        var verdicts = first
        guard case .success(let answer) = answer, let perJob = answer.statuses.splitPerJob(looked.map { orders[$0].signatures.count }),
            accounts.count == orders.count
        else {
            let reason =
                if case .failure(let error) = answer { "looking again at the job's transactions failed: \(error.description)" } else {
                    "the node answered for other transactions than asked"
                }
            for index in looked { verdicts[index] = .unknown(reason) }
            return verdicts
        }
        for (index, statuses) in zip(looked, perJob) {
            let order = orders[index]
            let again = MintVerdict.judge(account: accounts[index], signatures: order.signatures, statuses: statuses, expected: order.expected)
            verdicts[index] = answer.reach.settle(
                again, enqueuedAt: order.enqueuedAt, address: order.expected.address, transactions: order.signatures.count)
        }
        return verdicts
    }
}
