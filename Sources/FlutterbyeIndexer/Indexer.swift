import CoreMetrics
import FlutterbyeStore
public import Logging
public import ServiceLifecycle
public import SolanaCore
public import SolanaRPC

/// The indexer: follows the watched addresses and the token accounts it discovers, stores every relevant
/// transaction with its movements and the cursor it completes (`IndexStore`), and settles stored rows as finalized or
/// dropped as the chain finalizes. A ServiceLifecycle service: it stops at graceful shutdown, losing nothing (a batch
/// being written is written with its cursor, or not at all).
public struct Indexer<Source: TransactionSource>: Service {
    /// How often the indexer looks for new token accounts and settles rows (`IndexerOptions`).
    public typealias Options = IndexerOptions

    public let store: IndexStore
    public let rpc: SolanaRPCClient
    public let watched: WatchedAddresses
    public let options: Options
    public let logger: Logger
    /// Where the transactions come from.
    public let source: Source
    /// The watched program's Anchor events, read with its IDL; without one, its `Program data:` lines are kept raw.
    public let events: AnchorEventDecoder?
    let followed = FollowedAddresses()

    /// An indexer over `source`; `rpc` serves discovery and the settling pass.
    public init(
        store: IndexStore, rpc: SolanaRPCClient, watched: WatchedAddresses, options: IndexerOptions = IndexerOptions(), logger: Logger,
        source: Source,
        programIDL: AnchorIDL? = nil
    ) {
        self.store = store
        self.rpc = rpc
        self.watched = watched
        self.options = options
        self.logger = logger
        self.source = source
        self.events = programIDL.map(AnchorEventDecoder.init(idl:))
    }

    /// The configured addresses with their roles.
    public var configuredAddresses: [AddressCursor] {
        var addresses = [AddressCursor(address: watched.flbyMint, role: .mint)]
        if let escrow = watched.escrowWallet { addresses.append(AddressCursor(address: escrow, role: .escrow)) }
        if let fee = watched.feeWallet { addresses.append(AddressCursor(address: fee, role: .fee)) }
        if let program = watched.programID { addresses.append(AddressCursor(address: program, role: .program)) }
        return addresses
    }

    /// Waits until the indexer has started and every followed address has been polled since this call and found
    /// nothing new: the index then holds everything the node had at `confirmed` when this was called.
    /// A discovery pass (retried until it succeeds) comes first: an account only discovery finds must be followed
    /// before "everything followed is quiet" means anything.
    public func caughtUp() async {
        await followed.started()
        while !Task.isCancelled {
            do {
                try await discover()
                break
            } catch {
                do { try await Task.sleep(for: .milliseconds(100)) } catch { return }
            }
        }
        await source.caughtUp()
    }

    /// Looks for token accounts to follow now (instead of at the next discovery interval).
    public func discover() async throws {
        var found: [AddressCursor] = []
        for program in [TokenProgram.token.programID, TokenProgram.token2022.programID] {
            for account in try await rpc.tokenAccounts(ofMint: watched.flbyMint, program: program) {
                found.append(AddressCursor(address: account.address, role: role(ofAccountOwnedBy: account.owner)))
            }
            for (role, wallet) in watched.wallets {
                for account in try await rpc.tokenAccounts(ofOwner: wallet, program: program) {
                    found.append(AddressCursor(address: account.address, role: AddressRole(tokenAccountOf: role)))
                }
            }
        }
        // Followed only once stored: an account that failed to be stored is found again by the next pass.
        let new = await followed.candidates(found)
        if !new.isEmpty {
            try await store.follow(new)
            _ = await followed.add(new)
            await source.follow(new)
            logger.info("following newly discovered token accounts", metadata: ["count": "\(new.count)"])
        }
        // Those followed and not found are closed once their history is read to its end; closed ones found are open.
        await source.discovered(existing: Set(found.map(\.address)))
        let closures = await source.takeClosures()
        guard !closures.isEmpty else { return }
        do {
            try await store.setClosed(closures)
        } catch {
            await source.restoreClosures(closures)
            throw error
        }
        let closed = closures.values.filter { $0 != nil }.count
        logger.info(
            "token accounts closed (no longer polled) or open again", metadata: ["closed": "\(closed)", "opened": "\(closures.count - closed)"])
    }

    public func run() async throws {
        try await store.followConfigured(configuredAddresses)
        let cursors = try await store.cursors()
        IndexMetrics.following(cursors)
        _ = await followed.add(cursors)
        await source.follow(cursors)
        logger.info("indexer started", metadata: ["addresses": "\(cursors.count)", "mint": "\(watched.flbyMint)"])

        try await withThrowingDiscardingTaskGroup { group in
            group.addTask {
                // Caught up (`caughtUp`) only once a wallet or program configured since the last start has its rows in
                // what was stored before.
                await self.backfillConfigured()
                await self.followed.markStarted()
            }
            group.addTask {
                try await cancelWhenGracefulShutdown {
                    try await self.source.run { batch in try await self.store(batch) }
                }
            }
            group.addTask {
                // While a subscription covers the followed addresses, new token accounts are followed as transactions
                // name them; discovery is then a sweep.
                await self.every(
                    self.options.discoveryInterval, "discovering token accounts",
                    longer: { await self.source.isSubscribed() ? max(self.options.discoveryInterval, self.options.polling.sweepInterval) : nil }
                ) { () async throws -> Void in
                    try await self.discover()
                }
            }
            group.addTask {
                await self.every(self.options.settleInterval, "settling indexed transactions") { () async throws -> Void in
                    try await self.settle()
                }
            }
        }
        logger.info("indexer stopped")
    }

    /// Extracts what the batch's transactions did, stores the relevant ones with the batch's cursor, and follows the
    /// FLBY token accounts they name.
    func store(_ batch: SourceBatch) async throws {
        let indexed = batch.transactions.map { TransactionMovements.extract($0, watching: watched, events: events) }.filter(\.isRelevant)
        var named: [AddressCursor] = []
        for transaction in indexed {
            for balance in transaction.flbyBalances {
                named.append(AddressCursor(address: balance.account, role: balance.owner.map(role(ofAccountOwnedBy:)) ?? .flbyAccount))
            }
            for owned in transaction.walletTokenAccounts {
                named.append(AddressCursor(address: owned.account, role: AddressRole(tokenAccountOf: owned.role)))
            }
        }
        let new = await followed.candidates(named)
        try await store.write(indexed, advance: batch.advance, discovered: new)
        if !indexed.isEmpty {
            Counter(label: "flutterbye_indexed_transactions_total").increment(by: indexed.count)
            Counter(label: "flutterbye_indexed_movements_total").increment(by: indexed.reduce(0) { $0 + $1.movements.count })
        }
        if !new.isEmpty {
            _ = await followed.add(new)
            await source.follow(new)
        }
        if !named.isEmpty {
            // Seen again: quiet accounts are polled now, and a closed one created again is followed again.
            var slots: [(account: PublicKey, slot: UInt64)] = []
            for transaction in indexed {
                for balance in transaction.flbyBalances { slots.append((balance.account, transaction.slot)) }
                for owned in transaction.walletTokenAccounts { slots.append((owned.account, transaction.slot)) }
            }
            await source.named(slots)
        }
    }

    /// Marks stored transactions finalized once the finalized chain has them, and dropped when the node has not found
    /// them often and long enough (`Options.dropPolicy`); restores dropped ones seen again; moves cursors at dropped
    /// transactions back; writes again those found in another slot (`SettlingPass`).
    public func settle() async throws {
        let outcome = try await SettlingPass(store: store, rpc: rpc, policy: options.dropPolicy, logger: logger).run()
        if !outcome.dropped.isEmpty || !outcome.rewound.isEmpty {
            await source.rewind(outcome.rewound, dropped: Set(outcome.dropped))
        }
        if !outcome.moved.isEmpty {
            try await store(SourceBatch(transactions: outcome.moved, advance: nil))
        }
    }

    /// Writes the rows of a wallet or program configured since the last start in the transactions stored before
    /// (`ConfiguredBackfill`), again every settling interval until it succeeds.
    func backfillConfigured() async {
        let backfill = ConfiguredBackfill(store: store, rpc: rpc, settings: options.polling, logger: logger)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await backfill.run { transactions in try await self.store(SourceBatch(transactions: transactions, advance: nil)) }
                return
            } catch {
                logger.warning(
                    "writing a newly configured address's rows in stored transactions failed; trying again in \(options.settleInterval)",
                    metadata: ["error": "\(error)"])
                do { try await Task.sleep(for: options.settleInterval) } catch { return }
            }
        }
    }

    func role(ofAccountOwnedBy owner: PublicKey) -> AddressRole {
        if owner == watched.escrowWallet { return AddressRole(tokenAccountOf: .escrow) }
        if owner == watched.feeWallet { return AddressRole(tokenAccountOf: .fee) }
        return .flbyAccount
    }

    /// Runs `body` now and then every `interval` until cancelled or graceful shutdown; a failure is logged and retried
    /// at the next interval.
    /// `longer`, when it gives a duration, replaces `interval` for the next wait.
    func every(
        _ interval: Duration, _ doing: String, longer: @escaping @Sendable () async -> Duration? = { nil },
        _ body: @escaping @Sendable () async throws -> Void
    ) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await body() } catch {
                logger.warning("\(doing) failed; trying again in \(interval)", metadata: ["error": "\(error)"])
            }
            let wait = await longer() ?? interval
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) } } catch { return }
        }
    }
}

extension Indexer where Source == PollingTransactionSource {
    /// An indexer that polls each followed address's history over JSON-RPC (`PollingTransactionSource`).
    /// With `pubSub` (the node's PubSub endpoint), each followed address is also subscribed to: a mention wakes
    /// its poll at once, and polling becomes a sweep while the subscription is live.
    public init(
        store: IndexStore, rpc: SolanaRPCClient, watched: WatchedAddresses, options: IndexerOptions = IndexerOptions(), logger: Logger,
        programIDL: AnchorIDL? = nil, pubSub: PubSubEndpoint? = nil
    ) {
        let source = PollingTransactionSource(
            rpc: rpc, addresses: [], settings: options.polling, logger: logger, pubSub: pubSub,
            stored: { [store] signatures in (try? await store.storedSignatures(among: signatures)) ?? [] })
        self.init(store: store, rpc: rpc, watched: watched, options: options, logger: logger, source: source, programIDL: programIDL)
    }
}
