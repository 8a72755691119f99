import Foundation
public import Logging
public import SolanaCore
public import SolanaRPC
import Synchronization

/// What the worker, not each job, reads from the chain, shared by all jobs of the process: the recent blockhash with
/// its last valid block height (and from it the block height and the slot time), the priority fee, rent per account
/// size and the fee payer's balance. Each is fetched when it is older than its refresh interval, once for every
/// caller waiting on it.
public final class ChainView: Sendable {
    /// A blockhash and when it was fetched.
    public struct RecentBlockhash: Sendable, Hashable {
        public var latest: LatestBlockhash
        public var fetchedAt: ContinuousClock.Instant
        /// The block height the node answered at: a blockhash's last valid block height is the height it was issued at
        /// plus 150 (the protocol's MAX_PROCESSING_AGE).
        public var blockHeight: UInt64 { latest.lastValidBlockHeight >= 150 ? latest.lastValidBlockHeight - 150 : 0 }
    }

    private struct State {
        var blockhash: RecentBlockhash?
        var pendingBlockhash: Task<RecentBlockhash, any Error>?
        var slotTime: Duration?
        var priorityFee: (value: UInt64, at: ContinuousClock.Instant)?
        var pendingFee: Task<UInt64, Never>?
        var rentSchedule: (schedule: RentSchedule?, at: ContinuousClock.Instant)?
        var pendingRentSchedule: Task<RentSchedule?, any Error>?
        var rent: [Int: (lamports: UInt64, at: ContinuousClock.Instant)] = [:]
        var payerBalance: (lamports: UInt64, at: ContinuousClock.Instant)?
    }

    private let rpc: SolanaRPCClient
    private let payer: PublicKey
    private let policy: SenderPolicy
    private let logger: Logger
    private let state = Mutex(State())

    /// How old the priority fee and the payer's balance may grow before they are read again; rent per size is read
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
    public var newestBlockhash: RecentBlockhash? { state.withLock { $0.blockhash } }
    /// The time a slot takes, measured between two blockhash fetches; nil until measured.
    public var slotTime: Duration? { state.withLock { $0.slotTime } }
    /// The fee payer's balance as last read, in lamports.
    public var payerBalance: UInt64? { state.withLock { $0.payerBalance?.lamports } }

    /// A blockhash fetched no longer than `maxAge` ago: the one at hand, or a new one (one fetch for all callers).
    public func blockhash(maxAge: Duration) async throws(RPCError) -> RecentBlockhash {
        let now = ContinuousClock.now
        if let current = state.withLock({ $0.blockhash }), now - current.fetchedAt <= maxAge { return current }
        return try await refreshBlockhash()
    }

    /// Fetches a new blockhash (joining a fetch under way), and measures the slot time against the one before.
    @discardableResult
    public func refreshBlockhash() async throws(RPCError) -> RecentBlockhash {
        let task: Task<RecentBlockhash, any Error> = state.withLock { state in
            if let pending = state.pendingBlockhash { return pending }
            let rpc = self.rpc
            let task = Task { () async throws -> RecentBlockhash in
                RecentBlockhash(latest: try await rpc.latestBlockhash(commitment: .confirmed), fetchedAt: .now)
            }
            state.pendingBlockhash = task
            return task
        }
        do {
            let fetched = try await task.value
            state.withLock { state in
                if state.pendingBlockhash == task { state.pendingBlockhash = nil }
                if let previous = state.blockhash, fetched.latest.contextSlot > previous.latest.contextSlot,
                    fetched.fetchedAt > previous.fetchedAt
                {
                    let measured = (fetched.fetchedAt - previous.fetchedAt) / Double(fetched.latest.contextSlot - previous.latest.contextSlot)
                    // Smoothed: one slow answer does not halve the pace.
                    state.slotTime = state.slotTime.map { $0 * 0.75 + measured * 0.25 } ?? measured
                }
                if state.blockhash.map({ $0.fetchedAt < fetched.fetchedAt }) ?? true { state.blockhash = fetched }
            }
            return fetched
        } catch {
            state.withLock { if $0.pendingBlockhash == task { $0.pendingBlockhash = nil } }
            throw (error as? RPCError) ?? RPCError(.transport, "getLatestBlockhash failed: \(error)")
        }
    }

    /// The priority fee per compute unit to pay (micro-lamports): the policy's percentile of the recent fees of
    /// transactions writing the payer, read again once older than `feeRefresh`. When reading fails, the last value
    /// (or the policy's minimum) is used: a fee estimate never holds a job back.
    public func priorityFee() async -> UInt64 {
        let now = ContinuousClock.now
        let (cached, task): (UInt64?, Task<UInt64, Never>?) = state.withLock { state in
            if let fee = state.priorityFee, now - fee.at <= feeRefresh { return (fee.value, nil) }
            if let pending = state.pendingFee { return (nil, pending) }
            let rpc = self.rpc, payer = self.payer, policy = self.policy, logger = self.logger
            let fallback = state.priorityFee?.value ?? policy.minPriorityFee
            let task = Task { () async -> UInt64 in
                do {
                    return policy.priorityFee(recentFees: try await rpc.recentPrioritizationFees(accounts: [payer]))
                } catch {
                    logger.debug("reading recent priority fees failed; keeping the last estimate", metadata: ["error": "\(error)"])
                    return fallback
                }
            }
            state.pendingFee = task
            return (nil, task)
        }
        if let cached { return cached }
        guard let task else { return policy.minPriorityFee }
        let fee = await task.value
        state.withLock { state in
            if state.pendingFee == task { state.pendingFee = nil }
            state.priorityFee = (fee, .now)
        }
        return fee
    }

    /// The rent-exempt minimum of an account of `space` bytes: from the rent schedule, read once an hour (two calls,
    /// one fetch for all callers); per size, once an hour each, from a node whose answers are not linear.
    public func rent(space: Int) async throws(RPCError) -> UInt64 {
        let now = ContinuousClock.now
        let known = state.withLock { state -> (RentSchedule?, Bool)? in
            guard let entry = state.rentSchedule, now - entry.at <= .seconds(3600) else { return nil }
            return (entry.schedule, true)
        }
        let schedule: RentSchedule?
        if let known { schedule = known.0 } else { schedule = try await readRentSchedule() }
        if let schedule { return schedule.minimumBalance(space: space) }
        if let cached = state.withLock({ $0.rent[space] }), now - cached.at <= .seconds(3600) { return cached.lamports }
        let lamports = try await rpc.minimumBalanceForRentExemption(space: space)
        state.withLock { $0.rent[space] = (lamports, .now) }
        return lamports
    }

    /// Reads the minimums of an empty account and of a 1,024-byte one (joining a read under way).
    private func readRentSchedule() async throws(RPCError) -> RentSchedule? {
        let task: Task<RentSchedule?, any Error> = state.withLock { state in
            if let pending = state.pendingRentSchedule { return pending }
            let rpc = self.rpc
            let task = Task { () async throws -> RentSchedule? in
                let empty = try await rpc.minimumBalanceForRentExemption(space: 0)
                let sample = try await rpc.minimumBalanceForRentExemption(space: 1_024)
                return RentSchedule(emptyAccount: empty, sampleSpace: 1_024, sampleRent: sample)
            }
            state.pendingRentSchedule = task
            return task
        }
        do {
            let schedule = try await task.value
            state.withLock { state in
                if state.pendingRentSchedule == task { state.pendingRentSchedule = nil }
                state.rentSchedule = (schedule, .now)
            }
            return schedule
        } catch {
            state.withLock { if $0.pendingRentSchedule == task { $0.pendingRentSchedule = nil } }
            throw (error as? RPCError) ?? RPCError(.transport, "getMinimumBalanceForRentExemption failed: \(error)")
        }
    }

    /// Reads the fee payer's balance; returns it (nil when it could not be read).
    @discardableResult
    public func refreshPayerBalance() async -> UInt64? {
        do {
            let lamports = try await rpc.balance(payer, commitment: .confirmed)
            state.withLock { $0.payerBalance = (lamports, .now) }
            return lamports
        } catch {
            logger.debug("reading the fee payer's balance failed", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
