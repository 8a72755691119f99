public import SolanaCore
public import SolanaRPC

/// What the finalizer does with a confirmed job, judged from what the chain shows: finalize it, wait, or, when the
/// block that confirmed it was abandoned and its token does not exist, give it back to the workers to run again.
public enum FinalityVerdict: Sendable, Hashable {
    /// Its transaction is finalized: so is the job.
    case finalized
    /// Not finalized yet, or nothing proven either way: ask again later.
    case waiting
    /// The node does not have its confirmed transaction, or has it failing: look closer (the second `judge`).
    case doubtful
    /// Its block was abandoned: none of the job's transactions is on the chain or can land any more, and its mint
    /// address holds no mint. The job runs again (its next runner checks the mint address first, as for any job that
    /// stored transactions, so it never makes a second token). The message says why, for the job's errors.
    case abandoned(String)

    /// A confirmed job, from the status of its confirmed transaction (nil: the node does not have it).
    public static func judge(status: SignatureStatus?) -> FinalityVerdict {
        guard let status, status.succeeded else { return .doubtful }
        return status.confirmationStatus == .finalized ? .finalized : .waiting
    }

    /// A doubtful job, from the account at its mint address and the statuses of all its stored transactions, both at
    /// finalized commitment, and the finalized block height. Abandoned only when all three agree: no transaction of the
    /// job succeeded, the newest one's last valid block height is passed (older ones expire earlier), and the address
    /// holds nothing but lamports. Anything else (the job's mint there while the node lost its transactions, a node
    /// that lags) waits: the alert on jobs that do not finalize brings an operator.
    public static func judge(
        confirmed signature: Signature, mint: PublicKey, account: AccountInfo?, statuses: [SignatureStatus?], finalizedBlockHeight: UInt64,
        lastValidBlockHeight: UInt64?
    ) -> FinalityVerdict {
        if statuses.contains(where: { $0?.succeeded == true }) { return .waiting }
        guard let lastValidBlockHeight, finalizedBlockHeight > lastValidBlockHeight else { return .waiting }
        if let account, !(account.owner == SystemProgram.programID && account.data.isEmpty) { return .waiting }
        return .abandoned(
            "its confirmed transaction \(signature) is not on the chain: the block that confirmed it was abandoned. None of its \(statuses.count) transaction(s) succeeded or can land any more (finalized block height \(finalizedBlockHeight), past \(lastValidBlockHeight)), and its mint address \(mint) holds no mint, so the token was not created; the job runs again"
        )
    }
}
