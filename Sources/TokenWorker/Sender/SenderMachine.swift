public import FlutterbyeStore
import Foundation
import Logging
public import SolanaCore

/// The token sender's decisions as a pure value: it hears events (claimed jobs, built and stored transactions, send
/// answers, statuses, the block height, verdicts on a job's mint, lease renewals, time passing, shutdown) and answers
/// with the actions to take (`SenderAction`). It does no I/O and reads no clock: the loop around it passes the time.
///
/// The rules it keeps, for every job of the worker at once:
/// - a transaction is stored before its first send, which goes with the preflight unless the payer's balance is known
///   to cover it; rebroadcasts, without it, follow one shared schedule until a status shows the transaction;
/// - every transaction in flight is polled in one `getSignatureStatuses` per tick; the block height comes with the
///   shared blockhash, so expiry costs no call;
/// - a job is confirmed only by one of its own transactions;
/// - a job's token is looked for (`verify`) only after an expiry or an ambiguous failure, never before the first send;
/// - a job is never failed while one of its transactions could still land, nor before the verdict on its mint says
///   the token does not exist;
/// - nothing is sent under a lease that may have lapsed; a lost lease drops the job.
public struct SenderMachine: Sendable {
    /// The machine's settings.
    public struct Configuration: Sendable, Hashable {
        /// The mint authority of created tokens (what a job's mint must show).
        public var mintAuthority: PublicKey
        /// The fee payer (named in an unfunded payer's error).
        public var payer: PublicKey
        /// The backoff of a job given back to the queue after a transient failure.
        public var policy: SenderPolicy
        /// The lease every claim takes; renewed every third of it.
        public var lease: Duration
        /// Jobs in flight at most: each has at most one unconfirmed transaction, so this bounds those too.
        public var maxInFlight: Int
        /// Jobs one claim takes at most.
        public var claimBatch: Int
        /// How long without a notification before claiming again.
        public var claimPollInterval: Duration
        /// How often the statuses of the transactions in flight are polled (one call for all).
        public var statusPollInterval: Duration
        /// How often an unconfirmed transaction is sent again (the shared schedule).
        public var rebroadcastInterval: Duration
        /// The backoff of a step retried in place (a verification, a write): from `retryInitial`, doubling, at most
        /// `retryMax`.
        public var retryInitial: Duration
        public var retryMax: Duration
        /// Transient build failures retried in place before the job goes back to the queue.
        public var buildRetriesInPlace: Int
        /// How long a verdict that would fail a job with stored transactions (its mint absent, or found with none of
        /// them as its creator) is asked again for once none of them can land any more, before the job fails: the node
        /// that answered may lag, and not show yet the token one of them created.
        public var lagPatience: Duration
        /// When a job goes back to the queue because the node cannot say whether its transactions created its mint
        /// (`MintVerdict.unattributable`), how long before it looks again.
        public var unattributableRecheck: Duration
        /// When a transaction's first send goes with the preflight.
        public var preflight: PreflightPolicy
        /// Sends a second at most (first sends and rebroadcasts, in bursts of a second's worth), so that under an
        /// RPC rate limit the polls keep their share; nil: unpaced. Claims then take no more jobs than two seconds of
        /// sends carry.
        public var sendsPerSecond: Double?

        public init(
            mintAuthority: PublicKey, payer: PublicKey, policy: SenderPolicy = SenderPolicy(), lease: Duration = .seconds(60),
            maxInFlight: Int = 512, claimBatch: Int = 100, claimPollInterval: Duration = .seconds(1),
            statusPollInterval: Duration = .milliseconds(400), rebroadcastInterval: Duration = .seconds(2),
            retryInitial: Duration = .milliseconds(250), retryMax: Duration = .seconds(30), buildRetriesInPlace: Int = 3,
            lagPatience: Duration = .seconds(60), unattributableRecheck: Duration = .seconds(600),
            preflight: PreflightPolicy = .whenFundsAreUncertain,
            sendsPerSecond: Double? = nil
        ) {
            self.mintAuthority = mintAuthority
            self.payer = payer
            self.policy = policy
            self.lease = lease
            self.maxInFlight = max(1, maxInFlight)
            self.claimBatch = max(1, claimBatch)
            self.claimPollInterval = claimPollInterval
            self.statusPollInterval = statusPollInterval
            self.rebroadcastInterval = rebroadcastInterval
            self.retryInitial = retryInitial
            self.retryMax = retryMax
            self.buildRetriesInPlace = max(0, buildRetriesInPlace)
            self.lagPatience = lagPatience
            self.unattributableRecheck = unattributableRecheck
            self.preflight = preflight
            self.sendsPerSecond = sendsPerSecond.flatMap { $0.isFinite && $0 > 0 ? max($0, 0.1) : nil }
        }

        /// Sends stop this long before a lease not renewed since could lapse.
        var leaseMargin: Duration { lease / 6 }
        var renewalInterval: Duration { lease / 3 }
    }

    public var configuration: Configuration
    var flights: [Int64: JobFlight] = [:]
    var claimInFlight: (limit: Int, at: ContinuousClock.Instant)?
    /// Claim at the next tick: a notification came, a claim came back full, or a job left.
    var claimWanted = true
    var nextClaimAt: ContinuousClock.Instant?
    var pollInFlight = false
    var lastPollAt: ContinuousClock.Instant?
    var nextRebroadcastAt: ContinuousClock.Instant?
    var renewalInFlight = false
    var nextRenewalAt: ContinuousClock.Instant?
    /// The chain's block height as last heard.
    var blockHeight: UInt64?
    /// The highest block height heard (a lagging node's answer does not lower it): the bound of transactions' lives.
    var highestBlockHeight: UInt64?
    /// The fee payer's balance as last read, and what the transactions first sent since may take from it.
    var payerBalance: UInt64?
    var spentSinceBalance: UInt64 = 0
    /// No send goes before this: an endpoint answered 429 (its Retry-After, or a pause growing while the 429s go on).
    var sendsPausedUntil: ContinuousClock.Instant?
    /// Batches of sends answered 429 in a row, for that pause.
    var throttledInARow = 0
    /// Sends allowed now under `sendsPerSecond`, and when the allowance was last topped up.
    var sendAllowance: Double?
    var sendAllowanceAt: ContinuousClock.Instant?
    public internal(set) var isShuttingDown = false

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Jobs in flight.
    public var inFlightCount: Int { flights.count }
    /// The jobs in flight and their leases.
    public var leases: [JobLease] { flights.values.map(\.lease).sorted { $0.jobID < $1.jobID } }
    /// Shut down, with every job given back and no claim under way: the loop may stop.
    public var isFinished: Bool { isShuttingDown && flights.isEmpty && claimInFlight == nil }

    /// Handles `event`, heard at `now`, and returns the actions it calls for.
    public mutating func handle(_ event: SenderEvent, at now: ContinuousClock.Instant) -> [SenderAction] {
        var actions: [SenderAction] = []
        switch event {
        case .tick: break
        case .jobsAvailable: claimWanted = true
        case .claimed(let jobs): actions += claimed(jobs, at: now)
        case .claimFailed(let reason):
            claimInFlight = nil
            nextClaimAt = now + configuration.claimPollInterval
            actions.append(.log(.warning, "claiming jobs failed; trying again: \(reason)", job: nil))
        case .built(let results): actions += built(results, at: now)
        case .stored(let stored, let attempted): actions += storedSubmissions(stored, of: attempted, at: now)
        case .storeFailed(let ids, let reason): actions += storeFailed(ids, reason, at: now)
        case .sent(let answers): actions += sent(answers, at: now)
        case .statuses(let statuses):
            pollInFlight = false
            actions += received(statuses, at: now)
        case .notified(let statuses): actions += received(statuses.mapValues { Optional($0) }, at: now)
        case .statusPollFailed(let reason):
            pollInFlight = false
            actions.append(.log(.debug, "the status poll failed; the next one asks again: \(reason)", job: nil))
        case .blockHeight(let height): actions += heard(blockHeight: height, at: now)
        case .payerBalance(let lamports):
            payerBalance = lamports
            spentSinceBalance = 0
        case .verified(let id, let verdict): actions += verified(id, verdict, at: now)
        case .written(let id, let result): actions += written(id, result, at: now)
        case .leasesRenewed(let held, let asked, let askedAt): actions += renewed(held: held, asked: asked, askedAt: askedAt)
        case .leaseRenewalFailed(let reason):
            renewalInFlight = false
            nextRenewalAt = now + min(configuration.renewalInterval, .seconds(1))
            actions.append(.log(.warning, "renewing leases failed; trying again: \(reason)", job: nil))
        case .shutdown: actions += shutDown(at: now)
        }
        return Self.verifyingTogether(actions + due(at: now))
    }

    /// `actions` with every job's verification in one action: jobs whose transactions expire together (a stalled
    /// chain expires all in flight at once) cost two calls, not two each.
    static func verifyingTogether(_ actions: [SenderAction]) -> [SenderAction] {
        var orders: [VerifyOrder] = []
        var others: [SenderAction] = []
        for action in actions {
            if case .verify(let some) = action { orders += some } else { others.append(action) }
        }
        return orders.isEmpty ? others : others + [.verify(orders)]
    }

    // MARK: What is due

    /// Everything whose time has come: claims, renewals, retried steps, first sends, the rebroadcast round, the poll.
    mutating func due(at now: ContinuousClock.Instant) -> [SenderAction] {
        var actions: [SenderAction] = []
        let limit = claimLimit()
        if !isShuttingDown, claimInFlight == nil, limit > 0, claimWanted || now >= (nextClaimAt ?? now) {
            claimInFlight = (limit, now)
            claimWanted = false
            actions.append(.claim(limit: limit, excluding: flights.keys.sorted()))
        }
        topUpSendAllowance(at: now)
        if flights.isEmpty {
            nextRenewalAt = nil
        } else if nextRenewalAt == nil {
            nextRenewalAt = now + configuration.renewalInterval  // a claim's lease is fresh
        } else if !renewalInFlight, let next = nextRenewalAt, now >= next {
            renewalInFlight = true
            actions.append(.renewLeases(leases))
        }
        var builds: [BuildOrder] = []
        var stores: [TransactionSubmission] = []
        var sends: [SendOrder] = []
        let rebroadcastRound = now >= (nextRebroadcastAt ?? now)
        if rebroadcastRound { nextRebroadcastAt = now + configuration.rebroadcastInterval }
        for id in flights.keys.sorted() {
            guard var flight = flights[id] else { continue }
            switch flight.phase {
            case .buildDue(let at) where now >= at:
                if let order = buildOrder(flight) {
                    flight.phase = .building
                    builds.append(order)
                }
            case .storeDue(let built, let at) where now >= at:
                flight.phase = .storing(built)
                stores.append(submission(flight, built))
            case .verifyDue(let reason, let at) where now >= at:
                if let order = flight.verifyOrder() {
                    flight.phase = .verifying(reason)
                    actions.append(.verify([order]))
                }
            case .writeDue(let outcome, let at) where now >= at:
                flight.phase = .writing(outcome)
                actions.append(.finish(outcome))
            case .following:
                if let order = sendIfDue(&flight, rebroadcastRound: rebroadcastRound, at: now) { sends.append(order) }
                if let expiry = verifyIfExpired(&flight) { actions.append(expiry) }
            default:
                break
            }
            flights[id] = flight
        }
        if !builds.isEmpty { actions.append(.build(builds)) }
        if !stores.isEmpty { actions.append(.store(stores)) }
        if !sends.isEmpty { actions.append(.send(sends)) }
        if !pollInFlight, now >= (lastPollAt.map { $0 + configuration.statusPollInterval } ?? now) {
            let signatures = flights.keys.sorted().flatMap { id in flights[id].map { $0.isPolled ? $0.signatures : [] } ?? [] }
            if !signatures.isEmpty {
                pollInFlight = true
                lastPollAt = now
                actions.append(.pollStatuses(signatures))
            }
        }
        return actions
    }

    /// The send `flight`'s live transaction is due for, if any: its first send (with the preflight) or a send that
    /// must be repeated, at their time; a rebroadcast in the shared round. Never under a lease that may have lapsed.
    mutating func sendIfDue(_ flight: inout JobFlight, rebroadcastRound: Bool, at now: ContinuousClock.Instant) -> SendOrder? {
        guard var live = flight.live, let transaction = live.transaction, !live.processed, !live.refused, !live.landedFailed,
            now < flight.leaseValidUntil - configuration.leaseMargin, sendAllowance.map({ $0 >= 1 }) ?? true,
            now >= sendsPausedUntil ?? now
        else { return nil }
        let preflight: Bool
        switch live.sending {
        case .due(let withPreflight, let at) where now >= at:
            preflight = withPreflight
        case .sent(let at) where rebroadcastRound && now - at >= configuration.rebroadcastInterval / 2:
            preflight = false
        default:
            return nil
        }
        live.sending = .inFlight(preflight: preflight, since: now)
        flight.live = live
        if let allowance = sendAllowance { sendAllowance = allowance - 1 }
        return SendOrder(jobID: flight.lease.jobID, transaction: transaction, preflight: preflight)
    }

    /// How many jobs a claim may take: the budget's free room, at most `claimBatch`; under `sendsPerSecond`, no more
    /// than keep the jobs not yet sent within two seconds of sends (a transaction built long before it can be sent
    /// would spend its blockhash waiting).
    func claimLimit() -> Int {
        var limit = min(configuration.claimBatch, configuration.maxInFlight - flights.count)
        if let rate = configuration.sendsPerSecond {
            let unsent = flights.values.filter { $0.live == nil || $0.live?.unanswered == true }.count
            // Two seconds of sends past the budget change nothing: compared before the conversion, which traps for a
            // rate past Int's range (SOLANA_RPC_SENDS_PER_SECOND=1e19 is a positive finite number).
            let carried = rate * 2 < Double(configuration.maxInFlight) ? Int(max(rate * 2, 1)) : configuration.maxInFlight
            limit = min(limit, carried - unsent)
        }
        return max(0, limit)
    }

    /// Adds the sends allowed since the last top-up, up to a second's worth.
    mutating func topUpSendAllowance(at now: ContinuousClock.Instant) {
        guard let rate = configuration.sendsPerSecond else { return }
        let burst = max(1, rate)
        guard let allowance = sendAllowance, let at = sendAllowanceAt else {
            sendAllowance = burst
            sendAllowanceAt = now
            return
        }
        let elapsed = now - at
        let seconds = elapsed.totalSeconds
        sendAllowance = min(burst, allowance + rate * max(0, seconds))
        sendAllowanceAt = now
    }

    /// Moves `flight` to verifying when its live transaction expired at the block height heard, with no status and no
    /// send under way; returns the verify action.
    func verifyIfExpired(_ flight: inout JobFlight) -> SenderAction? {
        guard flight.phase == .following, let live = flight.live, let height = blockHeight, height > live.lastValidBlockHeight,
            !live.processed
        else { return nil }
        if case .inFlight = live.sending { return nil }
        guard let order = flight.verifyOrder() else {
            // No mint to look for (its fields turned invalid): followed further, it would never end.
            let outcome = unverifiable(flight)
            flight.phase = .writing(outcome)
            flight.retries = 0
            return .finish(outcome)
        }
        flight.phase = .verifying(.expired)
        return .verify([order])
    }

    /// How a job that stored transactions but has no mint to look for (its fields are invalid, changed since it stored
    /// them) leaves: back to the queue, never failed, as one of its transactions may have created its token.
    func unverifiable(_ flight: JobFlight) -> JobOutcome {
        let problem = flight.resolveFailure?.message ?? "the job's fields are invalid"
        let newest = flight.signatures.last.map { "\($0)" } ?? "?"
        let wait = configuration.policy.backoff(
            afterAttempt: flight.attempt, jitter: Backoff.spread(seed: flight.lease.jobID, salt: flight.attempt))
        return .retry(
            flight.lease, errorClass: "invalid_job",
            message:
                "\(problem). It stored \(flight.signatures.count) transaction(s), the newest \(newest), one of which may have created its token, so it is not failed: restore the fields it was enqueued with and it settles its token",
            after: wait)
    }

    /// Whether a new transaction's first send goes with the preflight: always under `.always`; otherwise unless the
    /// payer's balance, less what the transactions sent since it was read may take, covers twice what this one may
    /// take. (The shape's calibration simulated the same instructions with this payer; the preflight is what catches a
    /// payer running dry before anything lands.) Counts the transaction's cost as spent.
    mutating func firstSendNeedsPreflight(_ built: BuiltTransaction) -> Bool {
        defer { spentSinceBalance = spentSinceBalance.addingReportingOverflow(built.maxCost).overflow ? .max : spentSinceBalance + built.maxCost }
        guard configuration.preflight == .whenFundsAreUncertain, let balance = payerBalance else { return true }
        let needed = built.maxCost.multipliedReportingOverflow(by: 2)
        let available = balance > spentSinceBalance ? balance - spentSinceBalance : 0
        return needed.overflow || available < needed.partialValue
    }

    // MARK: Helpers

    func buildOrder(_ flight: JobFlight) -> BuildOrder? {
        guard let plan = flight.plan, let mint = flight.expectation?.address else { return nil }
        return BuildOrder(
            jobID: flight.lease.jobID, idempotencyKey: flight.idempotencyKey, plan: plan, mint: mint, simulateOwnUnits: flight.simulateOwnUnits)
    }

    func submission(_ flight: JobFlight, _ built: BuiltTransaction) -> TransactionSubmission {
        TransactionSubmission(
            lease: flight.lease, mintAddress: flight.expectation?.address.base58 ?? "", signature: built.transaction.id.base58,
            rawTransaction: built.transaction.serialized(), lastValidBlockHeight: built.lastValidBlockHeight)
    }

    /// The wait before retry number `retries` (from 1) of a step of job `id`: doubling from `retryInitial` up to
    /// `retryMax`, spread by ±25% by the job's id so that many jobs failing together do not retry together.
    func backoff(_ retries: Int, job id: Int64) -> Duration {
        Backoff(initial: configuration.retryInitial, maximum: configuration.retryMax)
            .delay(retry: retries, spread: Backoff.spread(seed: id, salt: retries))
    }
}

/// When the first send of a transaction goes with the preflight (the node's simulation, which refuses what would fail
/// instead of letting it land and pay its fee).
public enum PreflightPolicy: String, Sendable, Hashable {
    /// Every first send.
    case always
    /// Unless the payer's balance is known to cover it twice over: the shape's calibration already simulated the same
    /// instructions with this payer, so what remains for a preflight to catch is the payer running dry.
    case whenFundsAreUncertain = "auto"
}
