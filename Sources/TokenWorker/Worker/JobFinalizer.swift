public import FlutterbyeStore
public import Logging
import SolanaCore
public import SolanaRPC

/// Moves confirmed jobs whose transaction is finalized to `finalized`: one `getSignatureStatuses` per 256 confirmed
/// jobs, one UPDATE for those finalized. A job whose confirmed transaction the node does not have is looked at closer
/// (`FinalityVerdict`): when the block that confirmed it was abandoned and its token does not exist, it goes back to
/// the workers. Several workers may finalize at once; a job finalized twice is harmless.
public struct JobFinalizer: Sendable {
    /// What one pass did.
    public struct Pass: Sendable, Hashable {
        /// Confirmed jobs taken for the check (those whose signature does not parse included).
        public var checked = 0
        /// Jobs moved to `finalized`.
        public var finalized = 0
        /// Jobs given back to the workers, their confirmation abandoned.
        public var reopened = 0
        /// Whether the pass looked closer at jobs whose confirmed transaction the node does not have (three calls more).
        public var lookedCloser = false

        public init(checked: Int = 0, finalized: Int = 0, reopened: Int = 0, lookedCloser: Bool = false) {
            self.checked = checked
            self.finalized = finalized
            self.reopened = reopened
            self.lookedCloser = lookedCloser
        }
    }

    private let queue: TokenJobQueue
    private let rpc: SolanaRPCClient
    private let logger: Logger

    public init(queue: TokenJobQueue, rpc: SolanaRPCClient, logger: Logger) {
        self.queue = queue
        self.rpc = rpc
        self.logger = logger
    }

    /// Checks up to `limit` confirmed jobs and finalizes those whose transaction is. Each call checks other jobs than
    /// the last (never checked first, then those checked longest ago), so jobs that never finalize do not hold the
    /// others back. With `lookCloser` (the maintenance loop allows it once a minute: three calls), jobs whose confirmed
    /// transaction the node does not have are judged on their mint address, all their transactions and the finalized
    /// block height, and those whose block was abandoned go back to the workers. A job whose stored signature does not
    /// parse is reported and left confirmed; the others go on.
    @discardableResult
    public func finalizeConfirmedJobs(limit: Int = 256, lookCloser: Bool = true) async throws -> Pass {
        var checked: [(job: ConfirmedJobCheck, signature: Signature)] = []
        let taken = try await queue.confirmedJobsToCheck(limit: min(max(limit, 1), 256))
        for job in taken {
            do { checked.append((job, try Signature(base58: job.signature))) } catch {
                logger.error(
                    "a confirmed job's stored signature does not parse; it cannot be finalized",
                    metadata: ["job": "\(job.id)", "error": "\(error.message)"])
            }
        }
        var pass = Pass(checked: taken.count)
        guard !checked.isEmpty else { return pass }
        let statuses = try await rpc.signatureStatuses(checked.map(\.signature))
        var finalized: [Int64] = []
        var doubtful: [(job: ConfirmedJobCheck, signature: Signature)] = []
        for (job, status) in zip(checked, statuses) {
            switch FinalityVerdict.judge(status: status) {
            case .finalized: finalized.append(job.job.id)
            case .doubtful: doubtful.append(job)
            case .waiting, .abandoned: break
            }
        }
        pass.finalized = try await queue.markFinalized(jobIDs: finalized).count
        if lookCloser, !doubtful.isEmpty {
            pass.lookedCloser = true
            pass.reopened = try await reopenAbandoned(doubtful)
        }
        return pass
    }

    /// Passes of `finalizeConfirmedJobs` (the first with `lookCloser`) while a pass checks a full 256 and finalizes some,
    /// at most `maxPasses`: confirmations faster than one pass per maintenance interval (256 every 5 s) are not left
    /// to pile up, and jobs that never finalize do not keep it going. What the passes did, summed.
    @discardableResult
    public func finalizeConfirmedJobsWhileFull(lookCloser: Bool = true, maxPasses: Int = 20) async throws -> Pass {
        var total = Pass()
        for index in 0..<max(1, maxPasses) {
            let pass = try await finalizeConfirmedJobs(lookCloser: lookCloser && index == 0)
            total.checked += pass.checked
            total.finalized += pass.finalized
            total.reopened += pass.reopened
            total.lookedCloser = total.lookedCloser || pass.lookedCloser
            guard pass.checked == 256, pass.finalized > 0 else { break }
        }
        return total
    }

    /// Judges jobs whose confirmed transaction the node does not have, and gives back those whose block was abandoned:
    /// the finalized block height, then their mint accounts and the statuses of all their transactions (`mintsAndStatuses`).
    private func reopenAbandoned(_ jobs: [(job: ConfirmedJobCheck, signature: Signature)]) async throws -> Int {
        let judged = jobs.compactMap { job, signature -> (job: ConfirmedJobCheck, signature: Signature, mint: PublicKey, all: [Signature])? in
            // A transaction that cannot be asked about may be the token's creator: such a job is not judged.
            guard let mint = job.mintAddress.flatMap({ try? PublicKey(base58: $0) }) else { return nil }
            var all = job.signatures.compactMap { try? Signature(base58: $0) }
            guard all.count == job.signatures.count else { return nil }
            if !all.contains(signature) { all.append(signature) }
            return (job, signature, mint, all)
        }
        guard !judged.isEmpty else { return 0 }
        let height = try await rpc.blockHeight(commitment: .finalized)
        // Each answer in its place, else nothing is judged.
        guard let reads = try await rpc.mintsAndStatuses(judged.map { ($0.mint, $0.all) }, commitment: .finalized) else { return 0 }
        var abandoned: [(id: Int64, signature: String, message: String)] = []
        for (entry, read) in zip(judged, reads) {
            let verdict = FinalityVerdict.judge(
                confirmed: entry.signature, mint: entry.mint, account: read.account, statuses: read.statuses, finalizedBlockHeight: height,
                lastValidBlockHeight: entry.job.lastValidBlockHeight)
            if case .abandoned(let message) = verdict { abandoned.append((entry.job.id, entry.job.signature, message)) }
        }
        let reopened = try await queue.reopenAbandoned(abandoned)
        for job in abandoned where reopened.contains(job.id) {
            logger.warning("a confirmed job's block was abandoned; the job runs again", metadata: ["job": "\(job.id)", "reason": "\(job.message)"])
        }
        JobMetrics.confirmationsAbandoned(reopened.count)
        return reopened.count
    }
}
