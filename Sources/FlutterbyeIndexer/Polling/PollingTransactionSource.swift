import Algorithms
public import Logging
public import SolanaCore
public import SolanaRPC

/// A `TransactionSource` that polls each followed address's history over JSON-RPC: `getSignaturesForAddress` until
/// the address's cursor (many addresses' first pages in one batch, paging on with `before` past 1000), then
/// `getTransaction` in batches with bounded concurrency. When each address is polled is `PollCadence`'s: busy and
/// configured addresses every `busyInterval`, quiet token accounts less and less often, dormant ones rarely, closed
/// ones not at all until they are seen again. A failing poll (the RPC client has already retried 429s, 5xx and other
/// endpoints) is logged and tried again later with backoff.
public struct PollingTransactionSource: TransactionSource {
    public let rpc: SolanaRPCClient
    public let settings: PollingSettings
    public let logger: Logger
    let schedule: LivePollSchedule
    /// The `getTransaction` requests in flight, over every poll.
    let requestPermits: OrderedPermits
    /// Which of some signatures are stored already (so they are not fetched again); by default none.
    let stored: @Sendable ([Signature]) async -> Set<Signature>
    /// Mentions of every followed address over PubSub, when a WebSocket endpoint is given: each wakes a poll of the
    /// address, and a covered address is otherwise only swept (`PollingSettings.sweepInterval`).
    public let subscriptions: ChainSubscriptions?
    /// The addresses the subscription covers, latest first: applied to the schedule one after the other, in order (a
    /// coverage gained applied after the loss that followed it would leave addresses to the sweep alone).
    let coverage: AsyncStream<Set<PublicKey>>
    /// The addresses whose polls need not ask where the node's ledger starts.
    let recentReads = RecentReads()

    /// A source polling `addresses` (and those followed later); with `pubSub`, woken by PubSub mentions.
    public init(
        rpc: SolanaRPCClient, addresses: [AddressCursor], settings: PollingSettings = PollingSettings(), logger: Logger,
        pubSub: PubSubEndpoint? = nil, stored: @escaping @Sendable ([Signature]) async -> Set<Signature> = { _ in [] }
    ) {
        self.rpc = rpc
        self.settings = settings
        self.logger = logger
        self.stored = stored
        let schedule = LivePollSchedule(settings: settings, addresses: addresses)
        self.schedule = schedule
        let (coverage, coverageUpdates) = AsyncStream.makeStream(of: Set<PublicKey>.self, bufferingPolicy: .bufferingNewest(1))
        self.coverage = coverage
        self.requestPermits = OrderedPermits(settings.requestsInFlight)
        self.subscriptions = pubSub.map { endpoint in
            ChainSubscriptions(
                endpoint: endpoint, commitment: .confirmed, logger: logger,
                onNotification: { notification in
                    guard case .mentioned(let address, _, let slot, _) = notification else { return }
                    Task { await schedule.notified(address, slot: slot) }
                },
                onCoverage: { covered in
                    coverageUpdates.yield(Set(covered.compactMap { if case .mentions(let address) = $0 { address } else { nil } }))
                })
        }
        subscriptions?.want(addresses.map { .mentions($0.address) })
    }

    public func follow(_ addresses: [AddressCursor]) async {
        subscriptions?.want(addresses.map { .mentions($0.address) })
        await schedule.follow(addresses)
    }

    /// Whether a live subscription covers the followed addresses (the indexer's other sweeps may then slow down).
    public func isSubscribed() async -> Bool {
        !(subscriptions?.covered.isEmpty ?? true)
    }

    /// What a discovery pass found: every token account of the mint and of the watched wallets that exists now.
    public func discovered(existing: Set<PublicKey>) async {
        await schedule.discovered(existing: existing)
    }

    /// Token accounts that indexed transactions at these slots named in their token balances (seen again).
    public func named(_ accounts: [(account: PublicKey, slot: UInt64)]) async {
        await schedule.named(accounts)
    }

    /// The token accounts closed (at a slot) or opened again (nil) since the last call, for the store.
    public func takeClosures() async -> [PublicKey: UInt64?] {
        await schedule.takeClosures()
    }

    /// Gives back closures the store could not take.
    public func restoreClosures(_ closures: [PublicKey: UInt64?]) async {
        await schedule.restoreClosures(closures)
    }

    /// Moves cursors back (they were at dropped transactions) and forgets that the dropped ones were delivered, so
    /// that listed again they are fetched again.
    public func rewind(_ cursors: [AddressCursor], dropped: Set<Signature>) async {
        await schedule.forget(dropped)
        await schedule.rewind(cursors)
    }

    /// Waits until every followed address has been polled at least once since this call and found nothing new:
    /// what a caller that must see the index complete up to now (a test, `reconcile`) waits for.
    public func caughtUp() async {
        await schedule.pollAllNow()
        let mark = await schedule.generation()
        while !(await schedule.quietSince(mark)) {
            do { try await Task.sleep(for: .milliseconds(50)) } catch { return }
        }
    }

    public func run(deliver: @escaping @Sendable (SourceBatch) async throws -> Void) async throws {
        await withDiscardingTaskGroup { group in
            if let subscriptions {
                group.addTask { await subscriptions.run() }
                group.addTask { [coverage, schedule] in
                    for await covered in coverage { await schedule.cover(covered) }
                }
            }
            var running = 0
            let finished = AsyncCounter()
            while !Task.isCancelled {
                running -= await finished.take()
                guard running < settings.roundsInFlight else {
                    // A finishing round wakes the loop.
                    await schedule.sleep(upTo: .seconds(1))
                    continue
                }
                let due = await schedule.takeDue(max: settings.addressesPerRound)
                if !due.isEmpty {
                    running += 1
                    group.addTask {
                        await self.poll(due, deliver: deliver)
                        await finished.add()
                        await self.schedule.wake()
                    }
                    continue
                }
                // Until an address is due, a round finishes or an address is followed, whichever comes first.
                await schedule.sleep(upTo: max(await schedule.untilNextDue(atMost: .seconds(1)), .milliseconds(1)))
            }
            group.cancelAll()
        }
    }

    /// One round: the first pages of `addresses` in one JSON-RPC batch, then each address's new transactions.
    func poll(_ addresses: [AddressCursor], deliver: @escaping @Sendable (SourceBatch) async throws -> Void) async {
        let firstPages: [Result<[SignatureInfo], RPCError>]
        let ledgerStart: UInt64?
        let start = ContinuousClock.now
        let unvouched = await recentReads.unvouched(addresses.map(\.address), now: start)
        do {
            (firstPages, ledgerStart) = try await rpc.signaturesForAddresses(
                addresses.map { ($0.address, $0.cursor?.signature) }, limit: settings.pageSize, ledgerStart: !unvouched.isEmpty)
        } catch {
            logger.warning(
                "polling \(addresses.count) address(es) failed; trying again later", metadata: ["error": "\(error.message)"])
            for address in addresses { await schedule.finish(address.address, outcome: .failed) }
            return
        }
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for (address, firstPage) in zip(addresses, firstPages) {
                if running >= settings.addressesInFlight {
                    await group.next()
                    running -= 1
                }
                running += 1
                group.addTask {
                    let outcome: PollSchedule.Outcome
                    do throws(IndexingFailure) {
                        switch firstPage {
                        case .success(let page):
                            let ledger = unvouched.contains(address.address) ? ledgerStart : nil
                            outcome = try await self.index(address, firstPage: page, ledgerStart: ledger, deliver: deliver)
                        case .failure(let error): throw .rpc(error)
                        }
                    } catch {
                        self.logger.warning(
                            "indexing the history of \(address.address) (\(address.role.rawValue)) failed; trying again later",
                            metadata: ["error": "\(error)"])
                        outcome = .failed
                    }
                    if outcome.caughtUp { await self.recentReads.caughtUp(address.address, pollStartedAt: start) }
                    await self.schedule.finish(address.address, outcome: outcome)
                    IndexMetrics.polled(address, outcome: outcome)
                }
            }
        }
    }

    /// Fetches and delivers `address`'s new transactions in batches, each with the cursor it completes, the parts of
    /// a long history one after the other (`SignatureHistory.read`). `ledgerStart`: where the ledger of the node that
    /// listed `firstPage` starts, when asked.
    func index(
        _ address: AddressCursor, firstPage: [SignatureInfo], ledgerStart: UInt64?,
        deliver: @escaping @Sendable (SourceBatch) async throws -> Void
    )
        async throws(IndexingFailure) -> PollSchedule.Outcome
    {
        let history = SignatureHistory(rpc: rpc, pageSize: settings.pageSize, held: settings.signaturesHeld)
        let read: SignatureRead
        do {
            read = try await history.read(
                of: address.address, newerThan: address.cursor, startSlot: address.cursor == nil ? settings.startSlot : nil,
                firstPage: firstPage, ledgerStart: ledgerStart)
        } catch {
            throw .rpc(error)
        }
        if read.pagesReadAgain > 0 {
            logger.info(
                """
                the history of \(address.address) is longer than a read holds (\(settings.signaturesHeld) signatures): indexing \
                it in \(read.parts) parts, oldest first, reading \(read.pagesReadAgain) pages again
                """,
                metadata: ["role": "\(address.role.rawValue)"])
        }
        var deliveredBefore = false
        for part in 0..<read.parts {
            let signatures: [SignatureInfo]
            do {
                signatures = try await history.entries(of: read, part: part)
            } catch {
                throw .rpc(error)
            }
            if let outcome = try await deliverPart(signatures, of: address, deliveredBefore: deliveredBefore, deliver) { return outcome }
            if !signatures.isEmpty { deliveredBefore = true }
            if Task.isCancelled { return .incomplete }
        }
        return deliveredBefore ? .busy : .quiet
    }

    /// Fetches and delivers `signatures` (oldest first) in chunks, each with the cursor it completes; nil when every
    /// chunk was delivered, else how the poll ends.
    func deliverPart(
        _ signatures: [SignatureInfo], of address: AddressCursor, deliveredBefore: Bool,
        _ deliver: @escaping @Sendable (SourceBatch) async throws -> Void
    ) async throws(IndexingFailure) -> PollSchedule.Outcome? {
        let size = settings.signaturesPerBatch
        let chunks = signatures.chunks(ofCount: size).map(Array.init)
        // While one chunk is stored, the next ones are fetched (`batchesAhead`). Every claim is released on every
        // path: a claim left behind would make other polls skip a signature nobody stores.
        var pending: [Task<PreparedChunk, any Error>] = []
        var scheduled = 0
        func scheduleAhead() {
            while scheduled < chunks.count, pending.count <= settings.batchesAhead {
                let chunk = chunks[scheduled]
                let order = requestPermits.nextOrder()
                pending.append(Task { try await self.prepare(chunk, order: order) })
                scheduled += 1
            }
        }
        func abandonPending() async {
            let abandoned = pending
            pending = []
            for task in abandoned {
                task.cancel()
                if let prepared = try? await task.value { await schedule.release(prepared.claimed) }
            }
        }
        scheduleAhead()
        var deliveredBefore = deliveredBefore
        for chunk in chunks {
            let prepared: PreparedChunk
            let next = pending.removeFirst()
            do {
                // The chunks are fetched in tasks of their own: a stopping poll cancels the one it waits for (and
                // `abandonPending` the rest), so that shutdown does not wait for their fetches.
                prepared = try await withTaskCancellationHandler {
                    try await next.value
                } onCancel: {
                    next.cancel()
                }
            } catch {
                await abandonPending()
                if Task.isCancelled { return .incomplete }
                if let error = error as? IndexingFailure { throw error }
                throw .rpc(RPCError(.transport, "fetching transactions was cancelled"))
            }
            // Stopping (shutdown): the batch under way is written, no further one is started.
            if Task.isCancelled {
                await schedule.release(prepared.claimed)
                await abandonPending()
                return .incomplete
            }
            scheduleAhead()
            let outcome: PollSchedule.Outcome?
            do {
                outcome = try await deliverChunk(chunk, prepared, of: address, deliver)
            } catch {
                await schedule.release(prepared.claimed)
                await abandonPending()
                throw error
            }
            await schedule.release(prepared.claimed)
            if let outcome {
                await abandonPending()
                // Stalled only when the whole poll delivered nothing; after an earlier chunk it stopped early.
                return outcome == .stalled && deliveredBefore ? .incomplete : outcome
            }
            deliveredBefore = true
        }
        return nil
    }

    /// Delivers `chunk` up to the first transaction the node could not give yet (the rest waits for the next poll),
    /// with the cursor it completes. Returns nil when the whole chunk was delivered, else how the poll ends.
    func deliverChunk(
        _ chunk: [SignatureInfo], _ prepared: PreparedChunk, of address: AddressCursor,
        _ deliver: @escaping @Sendable (SourceBatch) async throws -> Void
    ) async throws(IndexingFailure) -> PollSchedule.Outcome? {
        var transactions: [FetchedTransaction] = []
        var covered = 0
        for entry in chunk {
            if prepared.known.contains(entry.signature) {
                covered += 1
                continue
            }
            guard let transaction = prepared.fetched[entry.signature] else { break }
            // The history of an address lists the transactions that name it: one that does not is another address's
            // (a provider's cache or load balancer mixing up answers), and the cursor must not move to it.
            guard transaction.accountKeys.contains(address.address) else { throw .foreignListing(address.address, entry.signature) }
            transactions.append(transaction)
            covered += 1
        }
        guard covered > 0 else {
            // Said each time, and the address waits longer each time (`PollOutcome.stalled`): a node that never has
            // it keeps the address from its cursor, which the caught-up gauge shows.
            logger.info(
                "the node has no transaction \(chunk[0].signature) yet, which \(address.address)'s history lists; the address waits for it",
                metadata: ["role": "\(address.role.rawValue)"])
            return .stalled
        }
        let newest = chunk[covered - 1]
        // The lower of the slot the transaction itself says, when it was fetched, and the listing's: either is the RPC's
        // answer, and an inflated slot as the cursor's would end every later read at its first entry (older than the
        // cursor), for good. A cursor too low only reads again what is stored.
        let slot = min(prepared.fetched[newest.signature]?.slot ?? newest.slot, newest.slot)
        let advance = CursorAdvance(
            address: address.address, role: address.role, newest: SignatureCursor(signature: newest.signature, slot: slot), signatures: covered)
        do {
            try await deliver(SourceBatch(transactions: transactions, advance: advance))
        } catch {
            throw .delivery(error)
        }
        await schedule.update(address.address, cursor: advance.newest)
        await schedule.markDelivered(transactions.map { ($0.signature, $0.slot) })
        return covered == chunk.count ? nil : .incomplete
    }

    /// A chunk of an address's signatures made ready to deliver: those another poll stored, delivered or is fetching
    /// (`known`: this poll skips them; the other address's cursor does not pass them before they are stored), and the
    /// transactions of the others, which this poll `claimed` until it delivers them.
    struct PreparedChunk: Sendable {
        var known: Set<Signature>
        var claimed: Set<Signature>
        var fetched: [Signature: FetchedTransaction]
    }

    /// Claims `chunk`'s signatures that nobody else has, looks up which of them are stored, and fetches the rest
    /// (its requests served in `order` among every poll's).
    func prepare(_ chunk: [SignatureInfo], order: UInt64) async throws(IndexingFailure) -> PreparedChunk {
        // What this process delivered or is fetching needs no database lookup; of the rest, only what can be stored
        // is looked up (see `PollSchedule.claim`).
        let (taken, claimed, lookUp) = await schedule.claim(chunk)
        let stored = lookUp.isEmpty ? [] : await stored(lookUp)
        await schedule.release(stored)
        let fetching = claimed.subtracting(stored)
        do {
            let fetched = try await fetch(chunk.map(\.signature).filter { fetching.contains($0) }, order: order)
            return PreparedChunk(known: stored.union(taken), claimed: fetching, fetched: fetched)
        } catch {
            await schedule.release(fetching)
            throw error
        }
    }

    /// `getTransaction` for `signatures`, in JSON-RPC batches, each sent once it has one of the permits shared by
    /// every poll (served in `order`); a signature the node does not have yet is absent from the answer.
    func fetch(_ signatures: [Signature], order: UInt64) async throws(IndexingFailure) -> [Signature: FetchedTransaction] {
        guard !signatures.isEmpty else { return [:] }
        let requests = signatures.chunks(ofCount: settings.transactionsPerRequest).map(Array.init)
        let rpc = self.rpc
        let permits = requestPermits
        do {
            return try await withThrowingTaskGroup(of: [(Signature, Result<FetchedTransaction?, RPCError>)].self) { group in
                for request in requests {
                    group.addTask {
                        try await permits.acquire(order: order)
                        defer { permits.release() }
                        let answers = try await rpc.transactions(request)
                        return Array(zip(request, answers))
                    }
                }
                var result: [Signature: FetchedTransaction] = [:]
                result.reserveCapacity(signatures.count)
                for try await answers in group {
                    for (signature, answer) in answers {
                        if let transaction = try answer.get() { result[signature] = transaction }
                    }
                }
                return result
            }
        } catch let error as RPCError {
            throw .rpc(error)
        } catch {
            throw .rpc(RPCError(.transport, "fetching transactions failed: \(error)"))
        }
    }
}
