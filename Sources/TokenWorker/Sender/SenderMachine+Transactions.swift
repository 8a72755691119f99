import FlutterbyeStore
import Logging
import SolanaCore
import SolanaRPC

/// Claimed jobs, and their transactions from build to landing: what each answer means for the job.
extension SenderMachine {
    mutating func claimed(_ jobs: [ClaimedJob], at now: ContinuousClock.Instant) -> [SenderAction] {
        let asked = claimInFlight
        claimInFlight = nil
        if let asked, jobs.count >= asked.limit {
            claimWanted = true  // there may be more
        } else {
            nextClaimAt = now + configuration.claimPollInterval
        }
        let claimedAt = asked?.at ?? now
        var actions: [SenderAction] = []
        for claimed in jobs where flights[claimed.job.id] == nil {
            actions += admit(claimed, claimedAt: claimedAt, at: now)
        }
        return actions
    }

    /// Takes a claimed job in: resumes its stored transaction, builds its first one, or fails it when its fields, its
    /// attempts or its mint address forbid signing and it stored nothing.
    mutating func admit(_ claimed: ClaimedJob, claimedAt: ContinuousClock.Instant, at now: ContinuousClock.Instant) -> [SenderAction] {
        let job = claimed.job
        guard let lease = job.lease else {
            return [.log(.error, "a claimed job has no lease token; it is left to the rescuer", job: job.id)]
        }
        let request = job.request
        var planProblem: String?
        let plan: TokenCreationPlan?
        do {
            plan = try request.plan()
        } catch {
            plan = nil
            planProblem = error.message
        }
        let stored = job.mintAddress.flatMap { try? PublicKey(base58: $0) }
        let mint = stored ?? claimed.derivedMint
        let resolveFailure: FailureReason? =
            if let planProblem {
                FailureReason(errorClass: "invalid_job", message: "the job's fields are invalid: \(planProblem)")
            } else if let text = job.mintAddress, stored == nil {
                FailureReason(
                    errorClass: "mint_mismatch",
                    message:
                        "the job's stored mint address '\(text.prefix(64))' is not a base58 address, so not the one this worker derives (\(claimed.derivedMint)); the queue keeps a job's first mint address, so nothing can be stored for it. Restore the address it stored, then retry the job"
                )
            } else if mint != claimed.derivedMint {
                FailureReason(
                    errorClass: "mint_mismatch",
                    message:
                        "the job's mint address \(mint) is not the one this worker derives from its master seed (\(claimed.derivedMint)): FLUTTERBYE_MASTER_SEED is not the seed the job was started with. Nothing was created at \(claimed.derivedMint); run the job with its original seed"
                )
            } else if job.attempt > request.maxAttempts {
                FailureReason(
                    errorClass: "attempts_exhausted",
                    message: "its \(request.maxAttempts) attempt(s) are used up and none of its transactions created the token")
            } else {
                nil
            }
        let expectation = plan.map { MintExpectation(address: mint, plan: $0, service: configuration.mintAuthority) }
        var signatures = job.signatures.compactMap { try? Signature(base58: $0) }
        // The newest stored transaction is one of the job's even when a row's `signatures` lacks it (the schema does not
        // tie the two columns): left out, its status was never asked and a token it created looked like another's.
        if let newest = job.signature.flatMap({ try? Signature(base58: $0) }), !signatures.contains(newest) {
            signatures.append(newest)
        }
        var live: LiveTransaction?
        if let text = job.signature, let signature = try? Signature(base58: text), let lastValid = job.lastValidBlockHeight {
            // It may have been sent before the job was claimed again: rebroadcast it (no preflight) and follow it.
            let transaction = job.rawTransaction.flatMap { try? Transaction.deserialize($0) }.flatMap { $0.id == signature ? $0 : nil }
            live = LiveTransaction(
                signature: signature, transaction: transaction, lastValidBlockHeight: lastValid, sending: .due(preflight: false, at: now))
        }
        var flight = JobFlight(
            lease: lease, idempotencyKey: request.idempotencyKey, enqueuedAt: job.createdAt, attempt: job.attempt, plan: plan,
            expectation: expectation,
            signatures: signatures, live: live, phase: .following, resolveFailure: resolveFailure,
            leaseValidUntil: claimedAt + configuration.lease)
        let id = job.id
        if isShuttingDown {
            flight.phase = .writing(.release(lease))
            flights[id] = flight
            return [.finish(.release(lease))]
        }
        if live != nil {
            flights[id] = flight
            return [.log(.info, "resuming the job's stored transaction", job: id)]
        }
        if !signatures.isEmpty, let order = flight.verifyOrder() {
            // Stored signatures without a transaction to follow: find out what they did.
            flight.phase = .verifying(.expired)
            flights[id] = flight
            return [.verify([order])]
        }
        if !signatures.isEmpty {
            // Its fields turned invalid after it stored transactions: no mint to look for, and one may have landed.
            return finish(&flight, unverifiable(flight))
        }
        if let failure = resolveFailure {
            // Nothing stored, so nothing can land: fail at once.
            return fail(&flight, failure)
        }
        flight.phase = .buildDue(at: now)
        flights[id] = flight
        return []
    }

    mutating func built(
        _ results: [(jobID: Int64, result: Result<BuiltTransaction, BuildFailure>)], at now: ContinuousClock.Instant
    ) -> [SenderAction] {
        var actions: [SenderAction] = []
        var stores: [TransactionSubmission] = []
        for (id, result) in results {
            guard var flight = flights[id], flight.phase == .building else { continue }
            if isShuttingDown {
                actions += finish(&flight, .release(flight.lease))
                continue
            }
            switch result {
            case .success(let built):
                flight.retries = 0
                flight.simulateOwnUnits = false
                flight.phase = .storing(built)
                stores.append(submission(flight, built))
                flights[id] = flight
            case .failure(.transient(let reason)):
                flight.retries += 1
                if flight.retries <= configuration.buildRetriesInPlace {
                    flight.phase = .buildDue(at: now + backoff(flight.retries, job: id))
                    flights[id] = flight
                    actions.append(.log(.debug, "building the transaction failed; trying again: \(reason)", job: id))
                } else {
                    let wait = configuration.policy.backoff(afterAttempt: flight.attempt, jitter: Backoff.spread(seed: id, salt: flight.attempt))
                    actions += finish(&flight, .retry(flight.lease, errorClass: "transient", message: reason, after: wait))
                }
            case .failure(.mintAddressInUse(let detail)):
                actions += verify(&flight, .addressInUse(detail))
            case .failure(.permanent(let errorClass, let message)):
                // Nothing new was stored. A job that stored transactions before looks at its mint once more first.
                let failure = FailureReason(errorClass: errorClass, message: message)
                actions += flight.signatures.isEmpty ? fail(&flight, failure) : verify(&flight, .refused(failure))
            }
        }
        if !stores.isEmpty { actions.append(.store(stores)) }
        return actions
    }

    mutating func storedSubmissions(_ stored: Set<Int64>, of attempted: [Int64], at now: ContinuousClock.Instant) -> [SenderAction] {
        var actions: [SenderAction] = []
        for id in attempted {
            guard var flight = flights[id], case .storing(let built) = flight.phase else { continue }
            guard stored.contains(id) else {
                flights[id] = nil
                actions.append(
                    .log(
                        .warning, "the job is no longer held under this worker's lease (rescued, claimed again or cancelled); it stops here", job: id)
                )
                continue
            }
            let signature = built.transaction.id
            if !flight.signatures.contains(signature) { flight.signatures.append(signature) }
            flight.live = LiveTransaction(
                signature: signature, transaction: built.transaction, lastValidBlockHeight: built.lastValidBlockHeight,
                sending: .due(preflight: isShuttingDown || firstSendNeedsPreflight(built), at: now), unanswered: true)
            flight.phase = .following
            flight.retries = 0
            if isShuttingDown {
                actions += finish(&flight, .release(flight.lease))
            } else {
                flights[id] = flight
            }
        }
        return actions
    }

    mutating func storeFailed(_ ids: [Int64], _ reason: String, at now: ContinuousClock.Instant) -> [SenderAction] {
        var actions: [SenderAction] = []
        for id in ids {
            guard var flight = flights[id], case .storing(let built) = flight.phase else { continue }
            if isShuttingDown {
                // Stored or not, the transaction was never sent: giving the job back is safe either way.
                actions += finish(&flight, .release(flight.lease))
                continue
            }
            flight.retries += 1
            flight.phase = .storeDue(built, at: now + backoff(flight.retries, job: id))
            flights[id] = flight
        }
        actions.append(.log(.warning, "storing transactions failed; nothing was sent, storing again: \(reason)", job: nil))
        return actions
    }

    mutating func sent(_ answers: [(jobID: Int64, signature: Signature, outcome: SendOutcome)], at now: ContinuousClock.Instant) -> [SenderAction] {
        var actions: [SenderAction] = []
        var throttled: (reason: String, retryAfter: Duration)?
        for (id, signature, outcome) in answers {
            guard var flight = flights[id], flight.phase == .following, var live = flight.live, live.signature == signature,
                case .inFlight(let preflight, let since) = live.sending
            else { continue }
            live.unanswered = false
            switch outcome {
            case .accepted:
                live.sending = .sent(at: since)
                throttledInARow = 0
            case .throttled(let reason, let retryAfter):
                live.sending = .due(preflight: preflight, at: now)
                throttled = (reason, max(throttled?.retryAfter ?? .zero, retryAfter ?? .zero))  // .zero: none given
            case .ambiguous(let reason):
                live.sending = .sent(at: since)
                actions.append(.log(.debug, "a send got no clear answer; following the transaction as sent: \(reason)", job: id))
            case .notSent(let reason):
                live.sending = .due(preflight: preflight, at: now + configuration.statusPollInterval)
                actions.append(.log(.debug, "a send was turned away; sending again: \(reason)", job: id))
            case .refused(let refusal) where !preflight:
                // A rebroadcast goes without the preflight; a node that refuses it anyway decides nothing.
                live.sending = .sent(at: since)
                actions.append(.log(.debug, "a rebroadcast was refused: \(refusal)", job: id))
            case .refused(let refusal):
                flight.live = live
                actions += refused(&flight, refusal, at: now)
                flights[id] = flight
                continue
            }
            flight.live = live
            flights[id] = flight
        }
        if let throttled {
            // The endpoint asks every send to wait, not one job's: all wait out its Retry-After, or without one a
            // pause from the status poll's interval, doubling while the 429s go on.
            throttledInARow += 1
            let own = Backoff(initial: configuration.statusPollInterval, maximum: configuration.retryMax).delay(retry: throttledInARow)
            let pause = max(own, throttled.retryAfter)
            sendsPausedUntil = max(sendsPausedUntil ?? now, now + pause)
            actions.append(.log(.info, "the endpoint answered sends with 429; sending nothing for \(pause): \(throttled.reason)", job: nil))
        }
        return actions
    }

    /// The preflight refused `flight`'s live transaction: it never left the node.
    mutating func refused(_ flight: inout JobFlight, _ refusal: PreflightRefusal, at now: ContinuousClock.Instant) -> [SenderAction] {
        guard var live = flight.live else { return [] }
        let id = flight.lease.jobID
        switch refusal {
        case .alreadyProcessed:
            live.sending = .sent(at: now)
            flight.live = live
            return []
        case .blockhashNotFound:
            live.sending = .due(preflight: true, at: now + configuration.statusPollInterval)
            flight.live = live
            return [.log(.debug, "the node does not know the transaction's blockhash yet; sending again", job: id)]
        case .computeBudgetExceeded(let detail):
            live.refused = true
            flight.live = live
            guard flight.mayBuild, let order = buildOrder(flight) else {
                return verify(
                    &flight, .refused(FailureReason(errorClass: "simulation_failed", message: "the transaction ran out of compute units: \(detail)")))
            }
            flight.simulateOwnUnits = true
            var ownOrder = order
            ownOrder.simulateOwnUnits = true
            flight.phase = .building
            return [.build([ownOrder]), .log(.info, "the transaction needs more compute units than its shape's calibration; simulating it", job: id)]
        case .addressInUse(let detail):
            live.refused = true
            flight.live = live
            return verify(&flight, .addressInUse(detail))
        case .insufficientFunds(let detail):
            live.refused = true
            flight.live = live
            return verify(
                &flight,
                .refused(
                    FailureReason(
                        errorClass: "insufficient_funds",
                        message:
                            "the fee payer \(configuration.payer) cannot pay the fee and rent; fund it with SOL, then retry the job. The node's preflight: \(detail)"
                    )))
        case .other(let detail):
            live.refused = true
            flight.live = live
            return verify(
                &flight,
                .refused(
                    FailureReason(errorClass: "simulation_failed", message: "the node's preflight simulation refused the transaction: \(detail)")))
        }
    }

    /// What statuses (a poll's answer or PubSub notifications) say of the flights that follow their transactions.
    mutating func received(_ statuses: [Signature: SignatureStatus?], at now: ContinuousClock.Instant) -> [SenderAction] {
        var actions: [SenderAction] = []
        for id in flights.keys.sorted() {
            guard var flight = flights[id], flight.phase == .following || flight.isLookingForItsToken else { continue }
            let known = flight.signatures.compactMap { signature in statuses[signature].map { (signature, $0) } }
            guard !known.isEmpty else { continue }
            if let (signature, _) = known.first(where: { $0.1.map { $0.succeeded && $0.isConfirmed } ?? false }) {
                // Also heard (PubSub) while the job looks for its token or builds anew: whatever a lagging node says
                // then, its own transaction confirmed; the answers still due are dropped.
                actions += finish(&flight, .confirm(flight.lease, signature: signature))
                continue
            }
            guard flight.phase == .following else { continue }
            guard var live = flight.live else { continue }
            let processed = known.contains { $0.1?.succeeded ?? false }
            live.processed = processed
            // A failure counts once its block is confirmed: one only processed may be on a fork the cluster abandons,
            // and the same transaction can still land, and succeed, on the fork that wins.
            if let status = statuses[live.signature] ?? nil, !status.succeeded, status.isConfirmed {
                live.landedFailed = true
                flight.live = live
                switch LandedFailure.classify(status.error, of: live.transaction) {
                case .addressInUse(let error): actions += verify(&flight, .addressInUse(error))
                case .outOfCompute(let error): actions += verify(&flight, .landedOutOfCompute(error))
                case .other(let error): actions += verify(&flight, .landedFailed(error))
                }
            } else {
                flight.live = live
            }
            flights[id] = flight
        }
        return actions
    }

    mutating func heard(blockHeight height: UInt64, at now: ContinuousClock.Instant) -> [SenderAction] {
        blockHeight = height
        let previousHighest = highestBlockHeight
        highestBlockHeight = max(highestBlockHeight ?? height, height)
        var actions: [SenderAction] = []
        // No blockhash lives past the newest one's last valid height (height + 150): a stored height far beyond it (a
        // row's bigint, up to 2^63 - 1) is no transaction's, and followed to it the job never ended. The bound leaves ten
        // lives (about ten minutes) past the highest height heard, so an endpoint that lags (the one a transaction was
        // signed with, or one answer of a node catching up) never cuts a transaction's life short.
        let (bound, overflow) = (highestBlockHeight ?? height).addingReportingOverflow(10 * LatestBlockhash.maxProcessingAge)
        // The highest height heard so far may itself be a lagging node's (the first reading after a restart): a height
        // more than a blockhash's life above it, from one reading to the next, says so, and the cuts made from it are
        // made again from the new one. Heights that grow as the chain does never move a cut: a stored height no
        // transaction can have still ends.
        let (jumpFloor, jumpOverflow) = (previousHighest ?? .max).addingReportingOverflow(LatestBlockhash.maxProcessingAge)
        let jumped = !jumpOverflow && height > jumpFloor
        for id in flights.keys.sorted() {
            guard var flight = flights[id] else { continue }
            if jumped, var live = flight.live, let stored = live.storedLastValidBlockHeight {
                live.lastValidBlockHeight = overflow ? stored : min(stored, bound)
                live.storedLastValidBlockHeight = live.lastValidBlockHeight == stored ? nil : stored
                flight.live = live
                flights[id] = flight
            }
            if !overflow, var live = flight.live, live.lastValidBlockHeight > bound {
                actions.append(
                    .log(
                        .warning,
                        "the stored last valid block height \(live.lastValidBlockHeight) of transaction \(live.signature) is past any blockhash's life at block height \(height); following it until \(bound)",
                        job: id))
                live.storedLastValidBlockHeight = live.storedLastValidBlockHeight ?? live.lastValidBlockHeight
                live.lastValidBlockHeight = bound
                flight.live = live
                flights[id] = flight
            }
            if let action = verifyIfExpired(&flight) {
                actions.append(action)
                if case .verify = action {
                    actions.append(.log(.info, "the transaction expired without a status; looking for the job's token before signing again", job: id))
                }
                flights[id] = flight
            }
        }
        return actions
    }
}
