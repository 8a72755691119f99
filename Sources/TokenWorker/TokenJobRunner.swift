public import FlutterbyeStore
import CoreMetrics
import Foundation
public import Logging
public import SolanaCore
public import SolanaRPC

/// The keys and settings the sender works with. The keypairs and the master seed never reach logs or errors.
public struct SenderConfiguration: Sendable {
    /// Pays fees and rent; also the mint authority unless `mintAuthority` is set.
    public var payer: Keypair
    /// The mint authority of created tokens (default: the payer).
    public var mintAuthority: Keypair
    /// Derives each job's mint keypair from its idempotency key.
    public var mintDerivation: JobKeyDerivation
    public var policy: SenderPolicy
    /// How often an unconfirmed transaction is sent again.
    public var rebroadcastInterval: Duration
    /// How often its status is polled.
    public var statusPollInterval: Duration
    /// Also create Metaplex metadata for classic Token mints.
    public var metaplexMetadata: Bool

    public init(
        payer: Keypair, mintAuthority: Keypair? = nil, mintDerivation: JobKeyDerivation, policy: SenderPolicy = SenderPolicy(),
        rebroadcastInterval: Duration = .seconds(2), statusPollInterval: Duration = .milliseconds(400), metaplexMetadata: Bool = false
    ) {
        self.payer = payer
        self.mintAuthority = mintAuthority ?? payer
        self.mintDerivation = mintDerivation
        self.policy = policy
        self.rebroadcastInterval = rebroadcastInterval
        self.statusPollInterval = statusPollInterval
        self.metaplexMetadata = metaplexMetadata
    }
}

/// Runs one claimed token job to a stored outcome: builds, simulates, signs, **stores the transaction before the
/// first send**, sends with `maxRetries: 0`, rebroadcasts until confirmed or expired, and before ever signing
/// again checks the stored signature and whether the job's mint already exists. Because the mint keypair is
/// derived from the job's idempotency key, every transaction of a job creates the same mint account, so at most
/// one of them can succeed: a job can never create two tokens.
public struct TokenJobRunner: Sendable {
    private let queue: TokenJobQueue
    private let rpc: SolanaRPCClient
    private let configuration: SenderConfiguration
    private let workerID: String
    private let logger: Logger
    private let isShuttingDown: @Sendable () -> Bool

    /// A runner for worker `workerID`. `isShuttingDown` is checked at safe points (before signing, between
    /// status polls): when it turns true the job is released, with everything needed to resume it stored.
    public init(
        queue: TokenJobQueue, rpc: SolanaRPCClient, configuration: SenderConfiguration, workerID: String, logger: Logger,
        isShuttingDown: @escaping @Sendable () -> Bool = { false }
    ) {
        self.queue = queue
        self.rpc = rpc
        self.configuration = configuration
        self.workerID = workerID
        self.logger = logger
        self.isShuttingDown = isShuttingDown
    }

    /// Why an attempt stopped short of confirmation.
    enum AttemptFailure: Error {
        case transient(String, retryAfter: Duration?)
        case permanent(errorClass: String, String)
        /// The worker is shutting down: give the job back.
        case released
    }

    /// Runs `job` (claimed by this worker) until it is confirmed, or records why not. Returns the job's state.
    @discardableResult
    public func run(_ job: TokenJob) async throws(StoreError) -> TokenJobState {
        var logger = self.logger
        logger[metadataKey: "job"] = "\(job.id)"
        guard let lease = job.lease else { throw StoreError(.invalidJobState, "job \(job.id) was not claimed: it has no lease") }
        do {
            let signature = try await attempt(job, lease: lease, logger: logger)
            try await queue.markConfirmed(lease, signature: signature.base58)
            logger.info("job confirmed", metadata: ["signature": "\(signature)"])
            // From enqueue to confirmation: what the backend waits.
            Timer(label: "flutterbye_job_confirmation_seconds", preferredDisplayUnit: .seconds)
                .recordSeconds(max(0, Date().timeIntervalSince(job.createdAt)))
            return .confirmed
        } catch let failure as AttemptFailure {
            switch failure {
            case .transient(let message, let retryAfter):
                let wait = configuration.policy.backoff(afterAttempt: job.attempt, floor: retryAfter)
                logger.warning("job attempt failed, will retry", metadata: ["error": "\(message)", "in": "\(wait)"])
                return try await queue.recordFailure(
                    lease, errorClass: "transient", message: message, permanent: false,
                    retryAt: Date().addingTimeInterval(Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18))
            case .permanent(let errorClass, let message):
                logger.error("job failed", metadata: ["class": "\(errorClass)", "error": "\(message)"])
                return try await queue.recordFailure(lease, errorClass: errorClass, message: message, permanent: true, retryAt: Date())
            case .released:
                logger.info("job released at shutdown; it resumes from its stored state")
                try await queue.release(lease)
                return (try? await queue.job(id: job.id).state) ?? .available
            }
        } catch let error as StoreError {
            throw error
        } catch is CancellationError {
            // Cancelled past the shutdown deadline: the lease expires and a rescuer gives the job to another worker,
            // which resumes from the stored transaction.
            return .running
        } catch {
            throw StoreError(.queryFailed, "job \(job.id): unexpected error \(error)")
        }
    }

    /// Moves confirmed jobs whose transaction is finalized to `finalized`; returns how many. A job whose stored
    /// signature does not parse is reported and left confirmed; the others go on.
    @discardableResult
    public func finalizeConfirmedJobs(limit: Int = 256) async throws -> Int {
        var checked: [(id: Int64, signature: Signature)] = []
        for job in try await queue.confirmedJobs(limit: min(limit, 256)) {
            do { checked.append((job.id, try Signature(base58: job.signature))) } catch {
                logger.error("a confirmed job's stored signature does not parse; it cannot be finalized", metadata: ["job": "\(job.id)", "error": "\(error.message)"])
            }
        }
        guard !checked.isEmpty else { return 0 }
        let statuses = try await rpc.signatureStatuses(checked.map(\.signature))
        var finalized = 0
        for (job, status) in zip(checked, statuses) where status?.confirmationStatus == .finalized {
            if try await queue.markFinalized(jobID: job.id) { finalized += 1 }
        }
        return finalized
    }

    private func attempt(_ job: TokenJob, lease: JobLease, logger: Logger) async throws -> Signature {
        let plan: TokenCreationPlan
        do {
            plan = try TokenCreationPlan(
                tokenProgram: job.request.tokenProgram, decimals: job.request.decimals, name: job.request.name,
                symbol: job.request.symbol, uri: job.request.uri, amount: job.request.amount, recipient: job.request.recipient,
                memo: job.request.memo)
        } catch {
            throw AttemptFailure.permanent(errorClass: "invalid_job", "the job's fields are invalid: \(error.message)")
        }
        let mint = configuration.mintDerivation.keypair(forJobKey: job.request.idempotencyKey)

        // A transaction stored by an earlier attempt may have landed or may still land: follow it first.
        if let stored = job.signature.flatMap({ try? Signature(base58: $0) }), let raw = job.rawTransaction,
            let lastValid = job.lastValidBlockHeight
        {
            logger.info("resuming the stored transaction", metadata: ["signature": "\(stored)"])
            let transaction: Transaction
            do { transaction = try Transaction.deserialize(raw) } catch {
                throw AttemptFailure.permanent(errorClass: "corrupt_transaction", "the stored transaction does not parse: \(error.message)")
            }
            guard transaction.id == stored else {
                throw AttemptFailure.permanent(errorClass: "corrupt_transaction", "the stored transaction is not the stored signature's")
            }
            if let landed = try await follow(transaction, lastValidBlockHeight: lastValid, logger: logger) {
                return landed
            }
        }
        while true {
            if isShuttingDown() { throw AttemptFailure.released }
            if let creation = try await existingMintCreation(mint.publicKey) {
                logger.info("the job's mint already exists: an earlier transaction landed", metadata: ["signature": "\(creation)"])
                return creation
            }
            let built = try await buildTransaction(plan: plan, mint: mint, logger: logger)
            try await queue.recordSubmission(
                TransactionSubmission(
                    lease: lease, mintAddress: mint.publicKey.base58, signature: built.signed.id.base58, rawTransaction: built.signed.serialized(),
                    lastValidBlockHeight: built.lastValidBlockHeight))
            if let landed = try await follow(built.signed, lastValidBlockHeight: built.lastValidBlockHeight, logger: logger) {
                return landed
            }
            logger.info("the transaction expired without landing; signing again with a new blockhash")
        }
    }

    /// Builds the job's transaction: simulate for compute units, price from recent fees, sign with a fresh blockhash.
    private func buildTransaction(plan: TokenCreationPlan, mint: Keypair, logger: Logger) async throws -> (signed: Transaction, lastValidBlockHeight: UInt64) {
        let payer = configuration.payer, authority = configuration.mintAuthority
        let rent = try await rpcCall { try await rpc.minimumBalanceForRentExemption(space: try plan.finalMintSpace(mint: mint.publicKey, updateAuthority: authority.publicKey)) }
        let latest = try await rpcCall { try await rpc.latestBlockhash(commitment: .confirmed) }
        func sign(limit: UInt32, price: UInt64) throws -> Transaction {
            do {
                return try plan.transaction(
                    payer: payer, mint: mint, mintAuthority: authority, mintRentLamports: rent, recentBlockhash: latest.blockhash,
                    computeUnitLimit: limit, computeUnitPrice: price, metaplexMetadata: configuration.metaplexMetadata)
            } catch {
                throw AttemptFailure.permanent(errorClass: "invalid_transaction", "the transaction cannot be built: \(error.message)")
            }
        }
        let probe = try sign(limit: SenderPolicy.maxComputeUnits, price: 0)
        let simulation = try await rpcCall { try await rpc.simulateTransaction(probe, replaceRecentBlockhash: true) }
        if !simulation.succeeded { throw classifySimulationFailure(simulation) }
        let fees = try await rpcCall { try await rpc.recentPrioritizationFees(accounts: [payer.publicKey, mint.publicKey]) }
        let limit = configuration.policy.computeUnitLimit(simulatedUnits: simulation.unitsConsumed ?? UInt64(SenderPolicy.maxComputeUnits))
        let price = configuration.policy.priorityFee(recentFees: fees)
        logger.debug("built the transaction", metadata: ["units": "\(limit)", "price": "\(price)", "lastValidBlockHeight": "\(latest.lastValidBlockHeight)"])
        return (try sign(limit: limit, price: price), latest.lastValidBlockHeight)
    }

    /// Sends `transaction` (again and again) until it is confirmed (returns its signature), it failed on chain
    /// (throws a permanent failure), or the chain passed `lastValidBlockHeight` without it (returns nil).
    private func follow(_ transaction: Transaction, lastValidBlockHeight: UInt64, logger: Logger) async throws -> Signature? {
        let signature = transaction.id
        var lastSend: ContinuousClock.Instant?
        while true {
            try Task.checkCancellation()
            if isShuttingDown() { throw AttemptFailure.released }
            if lastSend.map({ ContinuousClock.now - $0 >= configuration.rebroadcastInterval }) ?? true {
                do {
                    _ = try await rpc.sendTransaction(transaction, skipPreflight: true, maxRetries: 0)
                } catch {
                    logger.debug("send failed; the status poll decides", metadata: ["error": "\(error.message)"])
                }
                lastSend = .now
            }
            try await Task.sleep(for: configuration.statusPollInterval)
            if let status = try await rpcCall({ try await rpc.signatureStatuses([signature]) }).first ?? nil {
                guard status.succeeded else {
                    throw AttemptFailure.permanent(
                        errorClass: "transaction_failed", "the transaction \(signature) failed on chain: \(status.error.map { "\($0)" } ?? "unknown error")")
                }
                if let level = status.confirmationStatus, level >= .confirmed { return signature }
                continue  // processed: wait for confirmation
            }
            let height = try await rpcCall { try await rpc.blockHeight(commitment: .confirmed) }
            if height > lastValidBlockHeight {
                // Expired: one last look before the caller signs again.
                if let status = try await rpcCall({ try await rpc.signatureStatuses([signature]) }).first ?? nil {
                    if !status.succeeded {
                        throw AttemptFailure.permanent(errorClass: "transaction_failed", "the transaction \(signature) failed on chain")
                    }
                    if let level = status.confirmationStatus, level >= .confirmed { return signature }
                    continue
                }
                return nil
            }
        }
    }

    /// The signature of the transaction that created `mint`, when the mint account exists: the oldest successful
    /// transaction in the mint's history, read page by page (newest first).
    private func existingMintCreation(_ mint: PublicKey) async throws -> Signature? {
        guard try await rpcCall({ try await rpc.accountInfo(mint, commitment: .confirmed) }) != nil else { return nil }
        var oldestSuccess: Signature?
        var before: Signature?
        while true {
            let page = try await rpcCall { try await rpc.signaturesForAddress(mint, before: before, limit: 1000, commitment: .confirmed) }
            if let success = page.last(where: { $0.error == nil || $0.error == .null }) { oldestSuccess = success.signature }
            guard page.count == 1000, let last = page.last else { break }
            before = last.signature
        }
        if let oldestSuccess { return oldestSuccess }
        throw AttemptFailure.transient("the mint \(mint) exists but its creating transaction is not visible yet", retryAfter: nil)
    }

    private func classifySimulationFailure(_ simulation: SimulationResult) -> AttemptFailure {
        let error = simulation.error.map { "\($0)" } ?? "unknown"
        let logs = simulation.logs.suffix(12).joined(separator: "\n")
        if error.contains("BlockhashNotFound") {
            return .transient("the simulation did not find the blockhash", retryAfter: nil)
        }
        if error.contains("InsufficientFundsForFee") || error.contains("AccountNotFound") || logs.contains("insufficient lamports") {
            return .permanent(
                errorClass: "insufficient_funds",
                "the fee payer \(configuration.payer.publicKey) cannot pay the fee and rent (\(error)); fund it with SOL, then retry the job. Logs:\n\(logs)")
        }
        return .permanent(errorClass: "simulation_failed", "the simulation failed: \(error). Logs:\n\(logs)")
    }

    /// Runs an RPC call, turning a transient RPC error into a transient attempt failure and any other into a
    /// permanent one.
    private func rpcCall<Result>(_ body: () async throws -> Result) async throws -> Result {
        do { return try await body() } catch let error as RPCError {
            if error.isTransient { throw AttemptFailure.transient(error.description, retryAfter: error.retryAfter) }
            throw AttemptFailure.permanent(errorClass: "rpc_error", error.description)
        }
    }
}
