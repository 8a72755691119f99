import Algorithms
import CoreMetrics
import FlutterbyeStore
import Foundation
import Logging
import SolanaCore
import SolanaRPC
import Synchronization

/// Runs the sender's state machine (`SenderMachine`) against the world: each action becomes a task that talks to the
/// RPC or PostgreSQL, and its result comes back as an event. The loop owns the machine; every decision is the
/// machine's.
struct TokenSender: Sendable {
    let queue: TokenJobQueue
    /// The RPC for the sender's own calls, each made once (the machine retries on its own schedule).
    let rpc: SolanaRPCClient
    let chain: ChainView
    let builder: TransactionBuilder
    let configuration: SenderConfiguration
    let workerID: String
    let lease: Duration
    /// Confirmations heard over PubSub: a `.notified` event carries every one gathered since the last.
    let heard: HeardConfirmations
    let logger: Logger

    /// Jobs in flight now (for the refresher and the metrics).
    let inFlight = InFlightCount()

    /// Runs until the machine has given every job back after `.shutdown` (or `shutdownDeadline` after it passes).
    func run(
        machine: SenderMachine, events: AsyncStream<SenderEvent>, post: @escaping @Sendable (SenderEvent) -> Void, tick: Duration,
        shutdownDeadline: Duration
    ) async {
        var machine = machine
        var createdAt: [Int64: Date] = [:]
        var deadline: ContinuousClock.Instant?
        let gauge = Gauge(label: "flutterbye_sender_jobs_in_flight")
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: tick)
                    post(.tick)
                }
            }
            for await posted in events {
                var event = posted
                if case .notified(let statuses) = posted { event = .notified(statuses.merging(heard.take()) { first, _ in first }) }
                switch event {
                case .claimed(let jobs): for claimed in jobs { createdAt[claimed.job.id] = claimed.job.createdAt }
                case .shutdown: deadline = deadline ?? .now + shutdownDeadline
                default: break
                }
                machine.configuration.statusPollInterval = SenderPacing.statusPollInterval(
                    slotTime: chain.slotTime, requestsPerSecond: configuration.requestsPerSecond, configured: configuration.statusPollInterval)
                let actions = machine.handle(event, at: .now)
                execute(actions, createdAt: &createdAt, group: &group, post: post)
                inFlight.set(machine.inFlightCount)
                if createdAt.count > machine.inFlightCount + 1_000 {
                    // Jobs dropped with their lease lost leave no outcome to clear them by.
                    let held = Set(machine.leases.map(\.jobID))
                    createdAt = createdAt.filter { held.contains($0.key) }
                }
                gauge.record(machine.inFlightCount)
                if machine.isFinished { break }
                if let deadline, ContinuousClock.now >= deadline {
                    logger.warning(
                        "shutdown deadline passed; leaving the jobs still in flight to the rescuer", metadata: ["jobs": "\(machine.inFlightCount)"])
                    break
                }
            }
            group.cancelAll()
        }
    }

    private func execute(
        _ actions: [SenderAction], createdAt: inout [Int64: Date], group: inout DiscardingTaskGroup, post: @escaping @Sendable (SenderEvent) -> Void
    ) {
        var confirmations: [(lease: JobLease, signature: Signature)] = []
        var releases: [JobLease] = []
        for action in actions {
            switch action {
            case .claim(let limit, let excluding):
                group.addTask { post(await claim(limit: limit, excluding: excluding)) }
            case .build(let orders):
                group.addTask { post(await build(orders)) }
            case .store(let submissions):
                group.addTask { post(await store(submissions)) }
            case .send(let orders):
                for chunk in orders.chunks(ofCount: 100).map(Array.init) {
                    group.addTask { post(await send(chunk)) }
                }
            case .pollStatuses(let signatures):
                group.addTask { post(await poll(signatures)) }
            case .verify(let orders):
                group.addTask { for event in await verify(orders) { post(event) } }
            case .finish(.confirm(let lease, let signature)):
                confirmations.append((lease, signature))
            case .finish(.release(let lease)):
                releases.append(lease)
            case .finish(let outcome):
                createdAt[outcome.lease.jobID] = nil
                group.addTask { post(await write(outcome)) }
            case .renewLeases(let leases):
                let askedAt = ContinuousClock.now
                group.addTask { post(await renew(leases, askedAt: askedAt)) }
            case .log(let level, let message, let job):
                var metadata: Logger.Metadata = [:]
                if let job { metadata["job"] = "\(job)" }
                logger.log(level: level, "\(message)", metadata: metadata)
            }
        }
        if !confirmations.isEmpty {
            let created = confirmations.map { createdAt.removeValue(forKey: $0.lease.jobID) }
            group.addTask { for event in await confirm(confirmations, createdAt: created) { post(event) } }
        }
        if !releases.isEmpty {
            for lease in releases { createdAt[lease.jobID] = nil }
            group.addTask { for event in await release(releases) { post(event) } }
        }
    }

    // MARK: Actions

    private func claim(limit: Int, excluding: [Int64]) async -> SenderEvent {
        do {
            let jobs = try await queue.claim(workerID: workerID, limit: limit, lease: lease, excluding: excluding)
            return .claimed(
                jobs.map { ClaimedJob(job: $0, derivedMint: configuration.mintDerivation.keypair(forJobKey: $0.request.idempotencyKey).publicKey) })
        } catch {
            return .claimFailed(error.message)
        }
    }

    private func build(_ orders: [BuildOrder]) async -> SenderEvent {
        let maxAge = SenderPacing.blockhashMaxAge(slotTime: chain.slotTime)
        let results = await withTaskGroup(of: (Int64, Result<BuiltTransaction, BuildFailure>).self) { group in
            for order in orders {
                group.addTask { (order.jobID, await builder.build(order, blockhashMaxAge: maxAge)) }
            }
            var results: [(jobID: Int64, result: Result<BuiltTransaction, BuildFailure>)] = []
            for await (id, result) in group { results.append((id, result)) }
            return results
        }
        return .built(results)
    }

    private func store(_ submissions: [TransactionSubmission]) async -> SenderEvent {
        let ids = submissions.map(\.lease.jobID)
        do {
            return .stored(try await queue.recordSubmissions(submissions), of: ids)
        } catch {
            return .storeFailed(ids, error.message)
        }
    }

    /// One JSON-RPC batch of sends; each answer in its place.
    private func send(_ orders: [SendOrder]) async -> SenderEvent {
        let answers: [Result<Signature, RPCError>]
        do {
            answers = try await rpc.sendTransactions(orders.map { ($0.transaction, !$0.preflight) })
        } catch {
            return .sent(orders.map { ($0.jobID, $0.transaction.id, SendOutcome.classify(error)) })
        }
        return .sent(
            zip(orders, answers).map { order, answer in
                switch answer {
                case .success: (order.jobID, order.transaction.id, .accepted)
                case .failure(let error): (order.jobID, order.transaction.id, SendOutcome.classify(error))
                }
            })
    }

    /// The statuses of the transactions in flight: recent ones, so the node's status cache is enough.
    private func poll(_ signatures: [Signature]) async -> SenderEvent {
        do {
            let answers = try await rpc.signatureStatuses(signatures, searchTransactionHistory: false)
            var statuses: [Signature: SignatureStatus?] = [:]
            for (signature, status) in zip(signatures, answers) { statuses[signature] = status }
            return .statuses(statuses)
        } catch {
            return .statusPollFailed(error.description)
        }
    }

    /// The jobs' mint accounts in one read, their transactions' statuses (with the history) in another, and a verdict
    /// for each job.
    private func verify(_ orders: [VerifyOrder]) async -> [SenderEvent] {
        do {
            guard let verdicts = try await rpc.mintVerdicts(orders) else {
                return orders.map { .verified(jobID: $0.jobID, .unknown("the node answered for other mints or transactions than asked")) }
            }
            return zip(orders, verdicts).map { .verified(jobID: $0.jobID, $1) }
        } catch {
            return orders.map { .verified(jobID: $0.jobID, .unknown("reading the mints and the jobs' transactions failed: \(error.description)")) }
        }
    }

    private func confirm(_ confirmations: [(lease: JobLease, signature: Signature)], createdAt: [Date?]) async -> [SenderEvent] {
        do {
            let marked = try await queue.markConfirmed(confirmations.map { ($0.lease, $0.signature.base58) })
            return zip(confirmations, createdAt).map { confirmation, created in
                let id = confirmation.lease.jobID
                guard marked.contains(id) else { return .written(jobID: id, .leaseLost) }
                logger.info("job confirmed", metadata: ["job": "\(id)", "signature": "\(confirmation.signature)"])
                // From enqueue to confirmation: what the backend waits.
                if let created { JobMetrics.confirmed(after: Date().timeIntervalSince(created)) }
                return .written(jobID: id, .written)
            }
        } catch {
            return confirmations.map { .written(jobID: $0.lease.jobID, .failed(error.message)) }
        }
    }

    private func release(_ leases: [JobLease]) async -> [SenderEvent] {
        do {
            let released = try await queue.release(leases)
            logger.info("jobs released; they resume from what they stored", metadata: ["jobs": "\(released.sorted())"])
            return leases.map { .written(jobID: $0.jobID, released.contains($0.jobID) ? .written : .leaseLost) }
        } catch {
            return leases.map { .written(jobID: $0.jobID, .failed(error.message)) }
        }
    }

    private func write(_ outcome: JobOutcome) async -> SenderEvent {
        let id = outcome.lease.jobID
        do throws(StoreError) {
            switch outcome {
            case .fail(let lease, let errorClass, let message):
                logger.error("job failed", metadata: ["job": "\(id)", "class": "\(errorClass)", "error": "\(message)"])
                let state = try await queue.recordFailure(lease, errorClass: errorClass, message: message, permanent: true, retryAt: Date())
                JobMetrics.failureRecorded(errorClass: errorClass, leaving: state)
            case .retry(let lease, let errorClass, let message, let after):
                logger.warning("job attempt failed, will retry", metadata: ["job": "\(id)", "error": "\(message)", "in": "\(after)"])
                let seconds = after.totalSeconds
                let state = try await queue.recordFailure(
                    lease, errorClass: errorClass, message: message, permanent: false, retryAt: Date().addingTimeInterval(seconds))
                JobMetrics.failureRecorded(errorClass: errorClass, leaving: state)
            case .confirm, .release:
                break  // written in batches
            }
            return .written(jobID: id, .written)
        } catch  where error.code == .invalidJobState {
            return .written(jobID: id, .leaseLost)
        } catch {
            return .written(jobID: id, .failed(error.message))
        }
    }

    private func renew(_ leases: [JobLease], askedAt: ContinuousClock.Instant) async -> SenderEvent {
        do {
            return .leasesRenewed(held: try await queue.renewLeases(leases, lease: lease), asked: leases, askedAt: askedAt)
        } catch {
            return .leaseRenewalFailed(error.message)
        }
    }
}

/// The number of jobs the sender has in flight, read by the tasks beside it.
final class InFlightCount: Sendable {
    private let value = Atomic<Int>(0)

    var current: Int { value.load(ordering: .relaxed) }
    func set(_ count: Int) { value.store(count, ordering: .relaxed) }
}
