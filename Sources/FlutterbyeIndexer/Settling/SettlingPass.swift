import FlutterbyeStore
public import Foundation
public import Logging
public import SolanaCore
public import SolanaRPC

/// One pass over the stored transactions the chain has not settled: each one that is not finalized yet (up to the
/// finalized slot) and each dropped one due to be looked for again is checked (`getSignatureStatuses`, searching the
/// history; for a null status past the blockhash expiry, `getTransaction` at `finalized`); `DropPolicy` decides; the
/// outcome is written in one statement. The I/O around the policy, nothing more.
public struct SettlingPass: Sendable {
    public let store: IndexStore
    public let rpc: SolanaRPCClient
    public let policy: DropPolicy
    public let logger: Logger

    public init(store: IndexStore, rpc: SolanaRPCClient, policy: DropPolicy, logger: Logger) {
        self.store = store
        self.rpc = rpc
        self.policy = policy
        self.logger = logger
    }

    /// What a pass changed that the source must know, and the transactions it must write again.
    public struct Outcome: Sendable {
        /// Dropped in this pass.
        public var dropped: [Signature] = []
        /// Cursors moved back because they were at (or past) a dropped or moved transaction.
        public var rewound: [AddressCursor] = []
        /// Transactions seen in another slot than stored, as the chain has them now: to be written again (they
        /// replace what is stored).
        public var moved: [FetchedTransaction] = []
    }

    public func run(now: Date = Date()) async throws -> Outcome {
        // The database first: with nothing unsettled (an idle index), the pass costs no RPC call.
        let unsettled = try await store.unsettled(limit: 2_000)
        let window = policy.recheckWindow(now: now)
        let dropped = try await store.droppedToRecheck(droppedSince: window.droppedSince, checkedBefore: window.checkedBefore, limit: 256)
        guard !unsettled.isEmpty || !dropped.isEmpty else { return Outcome() }
        let finalizedSlot = try await rpc.slot(commitment: .finalized)
        let checked = unsettled.filter { $0.slot <= finalizedSlot } + dropped
        guard !checked.isEmpty else { return Outcome() }

        let sightings = try await sightings(of: checked, finalizedSlot: finalizedSlot)
        var settlement = Settlement()
        var outcome = Outcome()
        var moved: [Signature] = []
        for (transaction, sighting) in zip(checked, sightings) {
            switch policy.verdict(for: transaction, sighting: sighting, finalizedSlot: finalizedSlot, now: now) {
            case .finalize:
                if transaction.dropped {
                    settlement.restored.append((transaction.signature, true))
                } else {
                    settlement.finalized.append(transaction.signature)
                }
            case .seen:
                if transaction.dropped {
                    settlement.restored.append((transaction.signature, false))
                } else if transaction.absence != nil {
                    settlement.seen.append(transaction.signature)
                }
            case .wait:
                break
            case .miss(let record):
                settlement.absences.append((transaction.signature, record))
            case .drop(let record):
                settlement.absences.append((transaction.signature, record))
                settlement.dropped.append((transaction.signature, policy.rewindBelow(slot: transaction.slot)))
            case .moved:
                moved.append(transaction.signature)
                settlement.moved.append((transaction.signature, policy.rewindBelow(slot: transaction.slot)))
            }
        }
        if !moved.isEmpty {
            for (signature, answer) in zip(moved, try await rpc.transactions(moved, commitment: .confirmed)) {
                if case .success(let transaction?) = answer {
                    outcome.moved.append(transaction)
                } else {
                    logger.info("an indexed transaction is in another slot now, but cannot be fetched yet", metadata: ["signature": "\(signature)"])
                }
            }
        }
        outcome.rewound = try await store.settle(settlement)
        outcome.dropped = settlement.dropped.map(\.signature)
        if let first = settlement.dropped.first {
            logger.warning(
                "indexed transactions are gone from the finalized chain (not found \(policy.misses) times over \(policy.span)); marked dropped",
                metadata: ["count": "\(settlement.dropped.count)", "first": "\(first.signature)", "cursors_rewound": "\(outcome.rewound.count)"])
        }
        if let first = settlement.restored.first {
            logger.notice(
                "dropped transactions are on the chain again; restored",
                metadata: ["count": "\(settlement.restored.count)", "first": "\(first.signature)"])
        }
        return outcome
    }

    /// What the chain shows of each transaction: its status, and for a null status that counts, `getTransaction`.
    func sightings(of transactions: [SettlingTransaction], finalizedSlot: UInt64) async throws -> [ChainSighting] {
        var sightings = [ChainSighting](repeating: .missing, count: transactions.count)
        var lookUp: [Int] = []
        var start = 0
        while start < transactions.count {
            let range = start..<min(start + SolanaRPCClient.signatureStatusesPerCall, transactions.count)
            start = range.upperBound
            let statuses = try await rpc.signatureStatuses(transactions[range].map(\.signature))
            for (index, status) in zip(range, statuses) {
                if let status {
                    sightings[index] =
                        status.confirmationStatus == .finalized ? .finalized(slot: status.slot) : .unfinalized(slot: status.slot)
                } else if policy.counts(slot: transactions[index].slot, finalizedSlot: finalizedSlot) {
                    lookUp.append(index)
                }
            }
        }
        start = 0
        while start < lookUp.count {
            let chunk = Array(lookUp[start..<min(start + 50, lookUp.count)])
            start += chunk.count
            let answers = try await rpc.transactions(chunk.map { transactions[$0].signature }, commitment: .finalized)
            for (index, answer) in zip(chunk, answers) {
                switch answer {
                case .success(nil): sightings[index] = .missing
                case .success(let transaction?): sightings[index] = .finalized(slot: transaction.slot)
                case .failure: sightings[index] = .unknown
                }
            }
        }
        return sightings
    }
}
