import CoreMetrics
import FlutterbyeStore
import Foundation
public import Logging
public import PostgresNIO
public import ServiceLifecycle
import SolanaCore
public import SolanaRPC

/// The token worker as a `Service`: checks that its master seed is the database's, then runs the sender (claims jobs
/// up to its budget of transactions in flight and lands each exactly once), wakes it on new jobs (LISTEN), keeps the
/// shared chain view fresh while jobs are in flight, and maintains the queue (rescues expired leases, finalizes
/// confirmed jobs, prunes finished ones). On graceful shutdown it claims nothing more and gives every job back,
/// with what it stored, within `shutdownDeadline`.
public struct TokenWorkerService: Service {
    /// Timing and limits of the worker.
    public struct Options: Sendable {
        /// Jobs in flight at most, each with at most one unconfirmed transaction.
        public var maxInFlight: Int
        public var lease: Duration
        /// The longest a due job waits when no notification arrives.
        public var pollInterval: Duration
        /// How often to rescue, finalize and prune.
        public var maintenanceInterval: Duration
        public var shutdownDeadline: Duration
        /// Finished jobs older than this are pruned.
        public var retention: Duration
        /// How often the sender looks at what is due.
        public var tick: Duration

        public init(
            maxInFlight: Int = 512, lease: Duration = .seconds(60), pollInterval: Duration = .seconds(1),
            maintenanceInterval: Duration = .seconds(5), shutdownDeadline: Duration = .seconds(20),
            retention: Duration = .seconds(7 * 24 * 3600), tick: Duration = .milliseconds(20)
        ) {
            self.maxInFlight = max(1, maxInFlight)
            self.lease = lease
            self.pollInterval = pollInterval
            self.maintenanceInterval = maintenanceInterval
            self.shutdownDeadline = shutdownDeadline
            self.retention = retention
            self.tick = tick
        }
    }

    private let client: PostgresClient
    private let rpc: SolanaRPCClient
    private let sender: SenderConfiguration
    private let workerID: String
    private let options: Options
    private let logger: Logger

    public init(client: PostgresClient, rpc: SolanaRPCClient, sender: SenderConfiguration, workerID: String, options: Options, logger: Logger) {
        self.client = client
        self.rpc = rpc
        self.sender = sender
        self.workerID = workerID
        self.options = options
        self.logger = logger
    }

    public func run() async throws {
        guard try await checkMasterSeed() else { return }
        let queue = TokenJobQueue(client: client, logger: logger)
        let once = rpc.retrying(RPCRetryPolicy(maxAttempts: 1))
        let chain = ChainView(rpc: once, payer: sender.payer.publicKey, policy: sender.policy, logger: logger)
        let builder = TransactionBuilder(rpc: rpc, chain: chain, calibration: ComputeUnitCalibration(), configuration: sender, logger: logger)
        let (events, continuation) = AsyncStream.makeStream(of: SenderEvent.self)
        let post: @Sendable (SenderEvent) -> Void = { continuation.yield($0) }
        // Every transaction of the sender is signed by the payer: one subscription to the transactions that mention it
        // (`logsSubscribe`) hears each confirmation as it happens, for one call in all, where a `signatureSubscribe` per
        // transaction would double the calls a job costs. A failed one is left to the status poll, which gives its error.
        let heard = HeardConfirmations()
        let subscriptions = sender.pubSub.map { endpoint in
            ChainSubscriptions(
                endpoint: endpoint, commitment: .confirmed, logger: logger,
                onNotification: { notification in
                    guard case .mentioned(_, let signature, let slot, failed: false) = notification else { return }
                    if heard.add(signature, SignatureStatus(slot: slot, error: nil, confirmationStatus: .confirmed)) { post(.notified([:])) }
                })
        }
        subscriptions?.want([.mentions(sender.payer.publicKey)])
        let tokenSender = TokenSender(
            queue: queue, rpc: once, chain: chain, builder: builder, configuration: sender, workerID: workerID, lease: options.lease,
            heard: heard, logger: logger)
        let machine = SenderMachine(
            configuration: .init(
                mintAuthority: sender.mintAuthority.publicKey, payer: sender.payer.publicKey, policy: sender.policy, lease: options.lease,
                maxInFlight: options.maxInFlight, claimPollInterval: options.pollInterval,
                rebroadcastInterval: sender.rebroadcastInterval, preflight: sender.preflight, sendsPerSecond: sender.sendPace))
        logger.info("token worker started", metadata: ["worker": "\(workerID)", "maxInFlight": "\(options.maxInFlight)"])
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { background in
                background.addTask {
                    await NotificationListener.listen(
                        on: TokenJobQueue.notificationChannel, client: client, logger: logger, while: { !Task.isCancelled }
                    ) {
                        post(.jobsAvailable)
                    }
                }
                background.addTask { await refreshChainView(chain, sender: tokenSender, post: post) }
                background.addTask { await maintain(queue: queue) }
                if let subscriptions { background.addTask { await subscriptions.run() } }
                await tokenSender.run(machine: machine, events: events, post: post, tick: options.tick, shutdownDeadline: options.shutdownDeadline)
                background.cancelAll()
            }
        } onGracefulShutdown: {
            continuation.yield(.shutdown)
        }
        continuation.finish()
        logger.info("token worker stopped", metadata: ["worker": "\(workerID)"])
    }

    /// Records the master seed's fingerprint, or compares it with the one recorded: a worker with another seed would
    /// give retried jobs other mint addresses (two tokens for one job), so it refuses to start, naming the variable
    /// (never the seed). Waits for the database meanwhile; false when shut down before it answered.
    private func checkMasterSeed() async throws -> Bool {
        let fingerprints = KeyFingerprints(client: client, logger: logger)
        let mine = sender.mintDerivation.fingerprint
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let recorded = try await fingerprints.record(KeyFingerprints.masterSeed, fingerprint: mine)
                guard recorded.fingerprint == mine else {
                    throw MasterSeedMismatch(recordedFingerprint: recorded.fingerprint, recordedAt: recorded.recordedAt, fingerprint: mine)
                }
                return true
            } catch let error as StoreError {
                logger.warning("cannot check the master seed against the database yet; trying again", metadata: ["error": "\(error.message)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        return false
    }

    /// Reads at start what the first jobs need (the payer's balance, a blockhash, the rent schedule, the priority fee,
    /// and a second blockhash 300 ms later, which measures the slot time and so the pace of the polls), then,
    /// while jobs are in flight, the blockhash every refresh interval (the block height comes with it, so expiry costs
    /// no call of its own) and the payer's balance every `balanceRefresh`.
    private func refreshChainView(_ chain: ChainView, sender tokenSender: TokenSender, post: @escaping @Sendable (SenderEvent) -> Void) async {
        let balance = Gauge(label: "flutterbye_payer_balance_lamports")
        func readBalance() async {
            guard let lamports = await chain.refreshPayerBalance() else { return }
            balance.record(Int64(clamping: lamports))
            post(.payerBalance(lamports))
        }
        func readBlockhash() async {
            do {
                post(.blockHeight(try await chain.refreshBlockhash().blockHeight))
            } catch {
                logger.debug("refreshing the blockhash failed", metadata: ["error": "\(error.message)"])
            }
        }
        await readBalance()
        await readBlockhash()
        _ = try? await chain.rent(space: 0)
        _ = await chain.priorityFee()
        try? await Task.sleep(for: .milliseconds(300))
        await readBlockhash()
        var lastBlockhash = ContinuousClock.now
        var lastBalance = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(100))
            guard tokenSender.inFlight.current > 0 else { continue }
            let now = ContinuousClock.now
            if now - lastBlockhash >= SenderPacing.blockhashRefreshInterval(slotTime: chain.slotTime) {
                lastBlockhash = now
                await readBlockhash()
            }
            if now - lastBalance >= chain.balanceRefresh {
                lastBalance = now
                await readBalance()
            }
        }
    }

    private func maintain(queue: TokenJobQueue) async {
        let finalizer = JobFinalizer(queue: queue, rpc: rpc, logger: logger)
        // Looking closer at confirmed jobs the node does not show costs three calls: once a minute at most.
        var lookedCloser: ContinuousClock.Instant?
        while !Task.isCancelled {
            do {
                JobMetrics.leasesRescued(try await queue.rescueExpiredLeases())
                let lookCloser = lookedCloser.map { ContinuousClock.now - $0 >= .seconds(60) } ?? true
                if try await finalizer.finalizeConfirmedJobsWhileFull(lookCloser: lookCloser).lookedCloser { lookedCloser = .now }
                let cutoff = Date().addingTimeInterval(-(Double(options.retention.components.seconds)))
                let pruned = try await queue.prune(finishedBefore: cutoff)
                if pruned > 0 { logger.info("pruned finished jobs", metadata: ["count": "\(pruned)"]) }
            } catch {
                logger.warning("queue maintenance failed; trying again later", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: options.maintenanceInterval)
        }
    }
}
