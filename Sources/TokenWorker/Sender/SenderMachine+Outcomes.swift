import FlutterbyeStore
import Logging
import SolanaCore

/// Verdicts on a job's mint and how a job leaves: confirmed, failed, retried or released; leases and shutdown.
extension SenderMachine {
    /// Moves `flight` to verifying for `reason` and returns the verify action.
    mutating func verify(_ flight: inout JobFlight, _ reason: VerifyReason) -> [SenderAction] {
        guard let order = flight.verifyOrder() else {
            // No plan, so no expectation: the job's fields are invalid and it never stored a transaction it could send.
            return fail(&flight, flight.resolveFailure ?? FailureReason(errorClass: "invalid_job", message: "the job's fields are invalid"))
        }
        flight.phase = .verifying(reason)
        flight.retries = 0
        flights[flight.lease.jobID] = flight
        return [.verify([order])]
    }

    mutating func verified(_ id: Int64, _ verdict: MintVerdict, at now: ContinuousClock.Instant) -> [SenderAction] {
        guard var flight = flights[id], case .verifying(let reason) = flight.phase else { return [] }
        if isShuttingDown { return finish(&flight, .release(flight.lease)) }
        switch verdict {
        case .created(let signature, confirmed: true):
            return finish(&flight, .confirm(flight.lease, signature: signature))
        case .created(let signature, confirmed: false):
            guard flight.live != nil else {
                // No transaction of its own to follow (its newest expired, or was never stored with its block height):
                // no poll or expiry would end it if the creator's block is abandoned or leaves the node's status
                // cache. Look again, with the history, until the creator is confirmed or gone.
                return retryVerification(
                    &flight, reason, at: now, note: "the job's transaction \(signature) created its token; waiting for confirmation")
            }
            // Landed, not yet confirmed: the status poll confirms it.
            flight.phase = .following
            if var live = flight.live {
                live.processed = true
                flight.live = live
            }
            flights[id] = flight
            return [.log(.info, "the job's transaction \(signature) created its token; waiting for confirmation", job: id)]
        case .absent:
            switch reason {
            case .expired:
                guard flight.mayBuild, let order = buildOrder(flight) else {
                    return failAbsent(
                        &flight, reason, at: now,
                        flight.resolveFailure ?? FailureReason(errorClass: "invalid_job", message: "the job cannot be built"))
                }
                flight.live = nil
                flight.phase = .building
                flight.retries = 0
                flights[id] = flight
                return [.build([order]), .log(.info, "the job's transaction expired without landing; signing again with a new blockhash", job: id)]
            case .landedOutOfCompute(let error):
                // The worker's estimate fell short, not the job: build it again with a simulation of its own.
                guard flight.mayBuild, var order = buildOrder(flight) else {
                    return fail(
                        &flight,
                        FailureReason(
                            errorClass: "transaction_failed",
                            message: "the transaction ran out of compute units on chain (\(error)); the token was not created"))
                }
                order.simulateOwnUnits = true
                flight.simulateOwnUnits = true
                flight.live = nil
                flight.phase = .building
                flight.retries = 0
                flights[id] = flight
                return [
                    .build([order]),
                    .log(
                        .warning, "the transaction ran out of compute units on chain (\(error)); building it again with a simulation of its own",
                        job: id),
                ]
            case .landedFailed(let error):
                let signature = flight.live.map { "\($0.signature)" } ?? "?"
                return fail(
                    &flight,
                    FailureReason(
                        errorClass: "transaction_failed",
                        message: "the transaction \(signature) failed on chain (\(error)); the token was not created"))
            case .refused(let failure):
                return failAbsent(&flight, reason, at: now, failure)
            case .addressInUse(let detail):
                // The chain said something is there, the node read nothing: it lags. Ask again.
                return retryVerification(&flight, reason, at: now, note: "the mint address is in use but not visible yet: \(detail)")
            }
        case .unattributed:
            if flight.couldStillLand(blockHeight: blockHeight) {
                return retryVerification(&flight, reason, at: now, note: "the job's mint exists; waiting to see which transaction created it")
            }
            guard hasWaitedOutLag(since: &flight.unattributedSince, now: now) else {
                return retryVerification(
                    &flight, reason, at: now, note: "the job's mint exists but none of its transactions shows as its creator yet")
            }
            let address = flight.expectation.map { "\($0.address)" } ?? "?"
            return fail(
                &flight,
                FailureReason(
                    errorClass: "mint_exists_unattributed",
                    message:
                        "the mint at \(address) exists, but none of this job's \(flight.signatures.count) transaction(s) created it, and none can land any more: the same idempotency key was used before (by a job since pruned) or another database uses the same master seed. This job created nothing"
                ))
        case .unattributable(let detail):
            if flight.couldStillLand(blockHeight: blockHeight) {
                return retryVerification(&flight, reason, at: now, note: "the job's mint exists; waiting to see which transaction created it")
            }
            // Failing it would tell the backend that nothing was created, and a token may exist: the job waits, in the
            // queue, for a node that can tell.
            return finish(
                &flight,
                .retry(
                    flight.lease, errorClass: "mint_unattributable",
                    message:
                        "\(detail). The job is not failed, as its token may exist: point SOLANA_RPC_URL at a node that keeps the transaction history since the job was enqueued; the job looks again in \(Self.describe(configuration.unattributableRecheck))",
                    after: configuration.unattributableRecheck))
        case .foreign(let description):
            // The job's transactions can never create the mint at an address that holds something else.
            return fail(
                &flight,
                FailureReason(
                    errorClass: "mint_address_taken",
                    message:
                        "\(description): it is not this job's token, and this job's transactions cannot create the mint there. Nothing was created; enqueue the token under a new idempotency key"
                ))
        case .unknown(let detail):
            return retryVerification(&flight, reason, at: now, note: detail)
        }
    }

    /// A wait as an operator reads it: minutes from two on, else seconds.
    static func describe(_ wait: Duration) -> String {
        let seconds = max(0, wait.components.seconds)
        return seconds >= 120 ? "\(seconds / 60) minutes" : "\(seconds) seconds"
    }

    /// Fails `flight` on its mint read absent only once it has read so for `lagPatience`, when nothing else says that
    /// none of its transactions created the token (it expired, or the payer cannot pay for a new one): the node that
    /// answered may lag and not show yet the token one of them created. A job none of whose stored transactions left
    /// a node (none stored, or only the one the preflight refused) created nothing, and fails at once.
    mutating func failAbsent(
        _ flight: inout JobFlight, _ reason: VerifyReason, at now: ContinuousClock.Instant, _ failure: FailureReason
    ) -> [SenderAction] {
        let refused = flight.live.flatMap { $0.refused ? $0.signature : nil }
        guard flight.signatures.contains(where: { $0 != refused }) else { return fail(&flight, failure) }
        guard hasWaitedOutLag(since: &flight.absentSince, now: now) else {
            return retryVerification(&flight, reason, at: now, note: "the job's mint reads absent; looking again before failing, as the node may lag")
        }
        return fail(&flight, failure)
    }

    /// Whether a verdict that would fail a job, first given at `since` (now, when not yet), has been given for
    /// `lagPatience`: the node that answered may lag.
    func hasWaitedOutLag(since: inout ContinuousClock.Instant?, now: ContinuousClock.Instant) -> Bool {
        let first = since ?? now
        since = first
        return now - first >= configuration.lagPatience
    }

    mutating func retryVerification(
        _ flight: inout JobFlight, _ reason: VerifyReason, at now: ContinuousClock.Instant, note: String
    ) -> [SenderAction] {
        flight.retries += 1
        flight.phase = .verifyDue(reason, at: now + backoff(flight.retries, job: flight.lease.jobID))
        flights[flight.lease.jobID] = flight
        return [.log(.info, "the job's token could not be settled yet; looking again: \(note)", job: flight.lease.jobID)]
    }

    /// Fails `flight` for good. Callers make sure first that none of its transactions can still land and that the
    /// verdict on its mint says its token does not exist (or that it never stored a transaction).
    mutating func fail(_ flight: inout JobFlight, _ failure: FailureReason) -> [SenderAction] {
        finish(&flight, .fail(flight.lease, errorClass: failure.errorClass, message: failure.message))
    }

    /// Writes `outcome`: the job leaves once it is written.
    mutating func finish(_ flight: inout JobFlight, _ outcome: JobOutcome) -> [SenderAction] {
        flight.phase = .writing(outcome)
        flight.retries = 0
        flights[flight.lease.jobID] = flight
        return [.finish(outcome)]
    }

    mutating func written(_ id: Int64, _ result: WriteResult, at now: ContinuousClock.Instant) -> [SenderAction] {
        guard var flight = flights[id], case .writing(let outcome) = flight.phase else { return [] }
        switch result {
        case .written:
            flights[id] = nil
            claimWanted = true
            return []
        case .leaseLost:
            flights[id] = nil
            claimWanted = true
            return [
                .log(.warning, "the job is no longer held under this worker's lease (rescued, claimed again or cancelled); it stops here", job: id)
            ]
        case .failed(let reason):
            flight.retries += 1
            flight.phase = .writeDue(outcome, at: now + backoff(flight.retries, job: id))
            flights[id] = flight
            return [.log(.warning, "writing the job's outcome failed; writing it again: \(reason)", job: id)]
        }
    }

    mutating func renewed(held: Set<Int64>, asked: [JobLease], askedAt: ContinuousClock.Instant) -> [SenderAction] {
        renewalInFlight = false
        nextRenewalAt = askedAt + configuration.renewalInterval
        var actions: [SenderAction] = []
        for lease in asked {
            guard var flight = flights[lease.jobID], flight.lease == lease else { continue }
            if held.contains(lease.jobID) {
                flight.leaseValidUntil = max(flight.leaseValidUntil, askedAt + configuration.lease)
                flights[lease.jobID] = flight
            } else if case .writing = flight.phase {
                continue  // its write answers for it
            } else {
                flights[lease.jobID] = nil
                claimWanted = true
                actions.append(
                    .log(
                        .warning, "lost the job's lease (rescued, claimed again or cancelled elsewhere); it stops here, sending nothing more",
                        job: lease.jobID))
            }
        }
        return actions
    }

    /// Graceful shutdown: no more claims; every job is given back as soon as no action of its own is under way (a
    /// job being built or stored is given back when that answers; a pending outcome is written as it is).
    mutating func shutDown(at now: ContinuousClock.Instant) -> [SenderAction] {
        isShuttingDown = true
        var actions: [SenderAction] = []
        for id in flights.keys.sorted() {
            guard var flight = flights[id] else { continue }
            switch flight.phase {
            case .building, .storing, .writing:
                continue
            case .writeDue(let outcome, _):
                actions += finish(&flight, outcome)
            case .buildDue, .storeDue, .following, .verifying, .verifyDue:
                actions += finish(&flight, .release(flight.lease))
            }
        }
        return actions
    }
}
