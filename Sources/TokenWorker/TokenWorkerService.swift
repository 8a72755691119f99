import FlutterbyeStore
import Foundation
public import Logging
public import PostgresNIO
public import ServiceLifecycle
public import SolanaRPC
import Synchronization

/// The token worker as a long-running service: claims jobs (woken by LISTEN/NOTIFY on enqueue, and polling so a
/// lost notification only delays a job), runs up to `concurrency` of them at once, renews their leases, and in
/// the background rescues jobs of dead workers, finalizes confirmed ones and prunes old ones. On graceful shutdown
/// it stops claiming, lets running jobs reach a stored state within `shutdownDeadline`, and releases them.
public struct TokenWorkerService: Service {
    /// Timing and limits of the worker loop.
    public struct Options: Sendable {
        public var concurrency: Int
        public var lease: Duration
        /// The longest a due job waits when no notification arrives.
        public var pollInterval: Duration
        /// How often to rescue, finalize and prune.
        public var maintenanceInterval: Duration
        public var shutdownDeadline: Duration
        /// Finished jobs older than this are pruned.
        public var retention: Duration

        public init(
            concurrency: Int = 8, lease: Duration = .seconds(60), pollInterval: Duration = .seconds(1),
            maintenanceInterval: Duration = .seconds(5), shutdownDeadline: Duration = .seconds(20), retention: Duration = .seconds(7 * 24 * 3600)
        ) {
            self.concurrency = max(1, concurrency)
            self.lease = lease
            self.pollInterval = pollInterval
            self.maintenanceInterval = maintenanceInterval
            self.shutdownDeadline = shutdownDeadline
            self.retention = retention
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
        let state = WorkerState()
        let wake = WakeSignal()
        let queue = TokenJobQueue(client: client, logger: logger)
        let runner = TokenJobRunner(
            queue: queue, rpc: rpc, configuration: sender, workerID: workerID, logger: logger, isShuttingDown: { state.isShuttingDown })
        logger.info("token worker started", metadata: ["worker": "\(workerID)", "concurrency": "\(options.concurrency)"])
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { background in
                background.addTask { await listenForJobs(wake: wake, state: state) }
                background.addTask { await maintain(queue: queue, runner: runner, state: state) }
                background.addTask { await renewLeases(queue: queue, state: state) }
                await claimAndRun(queue: queue, runner: runner, state: state, wake: wake)
                background.cancelAll()
            }
        } onGracefulShutdown: {
            state.beginShutdown()
            wake.signal()
        }
        logger.info("token worker stopped", metadata: ["worker": "\(workerID)"])
    }

    private func claimAndRun(queue: TokenJobQueue, runner: TokenJobRunner, state: WorkerState, wake: WakeSignal) async {
        await withDiscardingTaskGroup { jobs in
            while !state.isShuttingDown && !Task.isCancelled {
                let free = options.concurrency - state.inFlightCount
                if free > 0 {
                    do {
                        let batch = try await queue.claim(workerID: workerID, limit: free, lease: options.lease, excluding: Array(state.inFlight.keys))
                        for job in batch {
                            guard let lease = job.lease else { continue }
                            state.started(lease)
                            jobs.addTask {
                                do { try await runner.run(job) } catch {
                                    logger.error("job could not be recorded", metadata: ["job": "\(job.id)", "error": "\(error)"])
                                }
                                state.finished(job.id)
                                wake.signal()
                            }
                        }
                    } catch {
                        logger.warning("claiming jobs failed; retrying", metadata: ["error": "\(error)"])
                    }
                }
                // Until a notification, a finished job (a free slot) or the poll interval.
                await wake.wait(timeout: options.pollInterval)
            }
            // Graceful shutdown: running jobs stop at their next safe point and release themselves; past the
            // deadline they are cancelled and their leases expire.
            let deadline = ContinuousClock.now + options.shutdownDeadline
            while state.inFlightCount > 0 && ContinuousClock.now < deadline {
                await wake.wait(timeout: .milliseconds(100))
            }
            if state.inFlightCount > 0 {
                logger.warning("shutdown deadline passed; cancelling running jobs", metadata: ["jobs": "\(state.inFlightCount)"])
                jobs.cancelAll()
            }
        }
    }

    /// LISTEN for new jobs; reconnects after a failure. A missed notification only delays a job until the next poll.
    private func listenForJobs(wake: WakeSignal, state: WorkerState) async {
        await NotificationListener.listen(
            on: TokenJobQueue.notificationChannel, client: client, logger: logger, while: { !state.isShuttingDown }
        ) { wake.signal() }
    }

    private func maintain(queue: TokenJobQueue, runner: TokenJobRunner, state: WorkerState) async {
        while !Task.isCancelled && !state.isShuttingDown {
            do {
                try await queue.rescueExpiredLeases()
                try await runner.finalizeConfirmedJobs()
                let cutoff = Date().addingTimeInterval(-(Double(options.retention.components.seconds)))
                let pruned = try await queue.prune(finishedBefore: cutoff)
                if pruned > 0 { logger.info("pruned finished jobs", metadata: ["count": "\(pruned)"]) }
            } catch {
                logger.warning("queue maintenance failed; trying again later", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: options.maintenanceInterval)
        }
    }

    private func renewLeases(queue: TokenJobQueue, state: WorkerState) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: options.lease / 3)
            let held = state.inFlight
            guard !held.isEmpty else { continue }
            do {
                let renewed = try await queue.renewLeases(Array(held.values), lease: options.lease)
                // Jobs still running here whose lease was not renewed were rescued or cancelled elsewhere.
                let lost = Set(held.keys).intersection(state.inFlight.keys).subtracting(renewed)
                if !lost.isEmpty { logger.warning("lost the lease of jobs", metadata: ["jobs": "\(lost.sorted())"]) }
            } catch {
                logger.warning("renewing leases failed", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// The worker loop's shared state: whether it is shutting down and which jobs are running.
final class WorkerState: Sendable {
    private let state = Mutex<(shuttingDown: Bool, inFlight: [Int64: JobLease])>((false, [:]))

    var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }
    var inFlight: [Int64: JobLease] { state.withLock { $0.inFlight } }
    var inFlightCount: Int { state.withLock { $0.inFlight.count } }
    func beginShutdown() { state.withLock { $0.shuttingDown = true } }
    func started(_ lease: JobLease) { state.withLock { $0.inFlight[lease.jobID] = lease } }
    func finished(_ id: Int64) { _ = state.withLock { $0.inFlight.removeValue(forKey: id) } }
}

/// Wakes a claim loop: a notification, a finished job or shutdown. A signal with nobody waiting is kept for the
/// next wait, so none is lost. (Public for the queue benchmark, which claims the way the worker does.)
public final class WakeSignal: Sendable {
    private let state = Mutex<(pending: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    public init() {}

    public func signal() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock {
            if let waiter = $0.waiter {
                $0.waiter = nil
                return waiter
            }
            $0.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns on the next signal (or a pending one), or after `timeout`.
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // Checked under the lock the cancellation handler takes: either the handler finds this waiter, or
                // the task is already marked cancelled here.
                let resumeNow: Bool = state.withLock {
                    if Task.isCancelled { return true }
                    if $0.pending {
                        $0.pending = false
                        return true
                    }
                    $0.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
