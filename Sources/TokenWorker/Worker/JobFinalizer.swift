public import FlutterbyeStore
public import Logging
import SolanaCore
public import SolanaRPC

/// Moves confirmed jobs whose transaction is finalized to `finalized`: one `getSignatureStatuses` per 256 confirmed
/// jobs, one UPDATE for those finalized. Several workers may finalize at once; a job finalized twice is harmless.
public struct JobFinalizer: Sendable {
    private let queue: TokenJobQueue
    private let rpc: SolanaRPCClient
    private let logger: Logger

    public init(queue: TokenJobQueue, rpc: SolanaRPCClient, logger: Logger) {
        self.queue = queue
        self.rpc = rpc
        self.logger = logger
    }

    /// Checks up to `limit` confirmed jobs and finalizes those whose transaction is; returns how many it finalized.
    /// Each call checks other jobs than the last (never checked first, then those checked longest ago), so jobs that
    /// never finalize do not hold the others back. A job whose stored signature does not parse is reported and left
    /// confirmed; the others go on.
    @discardableResult
    public func finalizeConfirmedJobs(limit: Int = 256) async throws -> Int {
        var checked: [(id: Int64, signature: Signature)] = []
        for job in try await queue.confirmedJobsToCheck(limit: min(max(limit, 1), 256)) {
            do { checked.append((job.id, try Signature(base58: job.signature))) } catch {
                logger.error(
                    "a confirmed job's stored signature does not parse; it cannot be finalized",
                    metadata: ["job": "\(job.id)", "error": "\(error.message)"])
            }
        }
        guard !checked.isEmpty else { return 0 }
        let statuses = try await rpc.signatureStatuses(checked.map(\.signature))
        let finalized = zip(checked, statuses).compactMap { job, status in
            status?.confirmationStatus == .finalized && status?.succeeded == true ? job.id : nil
        }
        return try await queue.markFinalized(jobIDs: finalized).count
    }
}
