import Foundation
public import Logging
public import SolanaCore
public import SolanaRPC
import Synchronization

/// What the worker, not each job, reads from the chain, shared by all jobs of the process: the recent blockhash with
/// its last valid block height (and from it the block height and the slot time), the priority fee, rent for every
/// account size and the fee payer's balance. Each is read when it is older than its caller allows, once for every
/// caller waiting on it.
public final class ChainView: Sendable {
    /// A blockhash and when it was fetched.
    public struct RecentBlockhash: Sendable, Hashable {
        public var latest: LatestBlockhash
        public var fetchedAt: ContinuousClock.Instant
        /// The block height the node answered at: a blockhash's last valid block height is the height it was issued at
        /// plus 150 (the protocol's MAX_PROCESSING_AGE).
        public var blockHeight: UInt64 {
            latest.lastValidBlockHeight >= LatestBlockhash.maxProcessingAge ? latest.lastValidBlockHeight - LatestBlockhash.maxProcessingAge : 0
        }
    }

    private let rpc: SolanaRPCClient
    private let payer: PublicKey
    private let policy: SenderPolicy
    private let logger: Logger
    private let blockhashes = SharedReading<RecentBlockhash>()
    private let fees = SharedReading<UInt64>()
    private let rentSchedules = SharedReading<RentSchedule?>()
    private let measured = Mutex<(slotTime: Duration?, rentBySize: [Int: UInt64], payerBalance: UInt64?)>((nil, [:], nil))

    /// How old the priority fee and the payer's balance may grow before they are read again; the rent schedule is read
    /// again after an hour.
    public let feeRefresh: Duration
    public let balanceRefresh: Duration

    public init(
        rpc: SolanaRPCClient, payer: PublicKey, policy: SenderPolicy, feeRefresh: Duration = .seconds(10), balanceRefresh: Duration = .seconds(30),
        logger: Logger
    ) {
        self.rpc = rpc
        self.payer = payer
        self.policy = policy
        self.feeRefresh = feeRefresh
        self.balanceRefresh = balanceRefresh
        self.logger = logger
    }

    /// The newest blockhash fetched, if any.
    public var newestBlockhash: RecentBlockhash? { blockhashes.latest?.value }
    /// The time a slot takes, measured between two blockhash fetches; nil until measured.
    public var slotTime: Duration? { measured.withLock { $0.slotTime } }
    /// The fee payer's balance as last read, in lamports.
    public var payerBalance: UInt64? { measured.withLock { $0.payerBalance } }

    /// A blockhash fetched no longer than `maxAge` ago: the one at hand, or a new one.
    public func blockhash(maxAge: Duration) async throws(RPCError) -> RecentBlockhash {
        if let latest = blockhashes.latest, ContinuousClock.now - latest.value.fetchedAt <= maxAge { return latest.value }
        return try await refreshBlockhash()
    }

    /// Fetches a new blockhash (joining a fetch under way), and measures the slot time against the one before.
    @discardableResult
    public func refreshBlockhash() async throws(RPCError) -> RecentBlockhash {
        let previous = blockhashes.latest?.value
        let rpc = self.rpc
        let fetched: RecentBlockhash
        do {
            fetched = try await blockhashes.refresh {
                RecentBlockhash(latest: try await rpc.latestBlockhash(commitment: .confirmed), fetchedAt: .now)
            }
        } catch {
            throw Self.rpcError(error, "getLatestBlockhash")
        }
        if let previous, fetched.latest.contextSlot > previous.latest.contextSlot, fetched.fetchedAt > previous.fetchedAt {
            let sample = (fetched.fetchedAt - previous.fetchedAt) / Double(fetched.latest.contextSlot - previous.latest.contextSlot)
            // Smoothed: one slow answer does not halve the pace.
            measured.withLock { $0.slotTime = $0.slotTime.map { $0 * 0.75 + sample * 0.25 } ?? sample }
        }
        return fetched
    }

    /// The priority fee per compute unit to pay (micro-lamports): the policy's percentile of the recent fees of
    /// transactions writing the payer, read again once older than `feeRefresh`. When reading fails, the last value
    /// (or the policy's minimum) is used: a fee estimate never holds a job back.
    public func priorityFee() async -> UInt64 {
        let rpc = self.rpc
        let payer = self.payer
        let policy = self.policy
        do {
            return try await fees.value(maxAge: feeRefresh) {
                policy.priorityFee(recentFees: try await rpc.recentPrioritizationFees(accounts: [payer]))
            }
        } catch {
            logger.debug("reading recent priority fees failed; keeping the last estimate", metadata: ["error": "\(error)"])
            return fees.latest?.value ?? policy.minPriorityFee
        }
    }

    /// The rent-exempt minimum of an account of `space` bytes: from the rent schedule, read once an hour (two calls);
    /// asked per size, once each, of a node whose answers are not linear.
    public func rent(space: Int) async throws(RPCError) -> UInt64 {
        let rpc = self.rpc
        let schedule: RentSchedule?
        do {
            schedule = try await rentSchedules.value(maxAge: .seconds(3600)) {
                let empty = try await rpc.minimumBalanceForRentExemption(space: 0)
                let sample = try await rpc.minimumBalanceForRentExemption(space: 1_024)
                return RentSchedule(emptyAccount: empty, sampleSpace: 1_024, sampleRent: sample)
            }
        } catch {
            throw Self.rpcError(error, "getMinimumBalanceForRentExemption")
        }
        if let schedule { return schedule.minimumBalance(space: space) }
        if let known = measured.withLock({ $0.rentBySize[space] }) { return known }
        let lamports = try await rpc.minimumBalanceForRentExemption(space: space)
        measured.withLock { $0.rentBySize[space] = lamports }
        return lamports
    }

    /// Reads the fee payer's balance; returns it (nil when it could not be read).
    @discardableResult
    public func refreshPayerBalance() async -> UInt64? {
        do {
            let lamports = try await rpc.balance(payer, commitment: .confirmed)
            measured.withLock { $0.payerBalance = lamports }
            return lamports
        } catch {
            logger.debug("reading the fee payer's balance failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private static func rpcError(_ error: any Error, _ method: String) -> RPCError {
        (error as? RPCError) ?? RPCError(.transport, "\(method) failed: \(error)")
    }
}
