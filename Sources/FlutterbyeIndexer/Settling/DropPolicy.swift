public import Foundation
import SolanaCore

/// When the indexer may call a stored transaction gone from the chain, and how long it looks for a dropped one again.
/// A lagging or non-archival endpoint behind failover answers a null status and a null `getTransaction` for
/// transactions that exist, so one such answer proves nothing: a transaction is dropped only after `misses` checks in
/// a row found nothing (no sighting between them), spread over at least `spanSlots` of the finalized chain and `span`
/// of time, each made once its blockhash had expired (`expirySlots` behind the finalized slot: it cannot land any
/// more). Pure: slots and times are passed in.
public struct DropPolicy: Sendable, Hashable {
    /// A check counts only once the finalized slot is this many slots past the transaction's.
    public var expirySlots: UInt64
    /// Checks in a row that must find nothing.
    public var misses: Int
    /// Finalized slots from the first of them to the latest, at least.
    public var spanSlots: UInt64
    /// Time from the first of them to the latest, at least.
    public var span: Duration
    /// A cursor at a dropped transaction moves back to a stored, finalized transaction at least this many slots older
    /// than it (so before the fork the dropped one was on), or to the address's beginning when there is none.
    public var forkDepthSlots: UInt64
    /// A dropped transaction is looked for again this often ...
    public var recheckInterval: Duration
    /// ... for this long after it was dropped.
    public var recheckFor: Duration

    public init(
        expirySlots: UInt64 = 150, misses: Int = 5, spanSlots: UInt64 = 750, span: Duration = .seconds(300), forkDepthSlots: UInt64 = 150,
        recheckInterval: Duration = .seconds(600), recheckFor: Duration = .seconds(7 * 86_400)
    ) {
        self.expirySlots = expirySlots
        self.misses = max(1, misses)
        self.spanSlots = spanSlots
        self.span = max(.zero, span)
        self.forkDepthSlots = forkDepthSlots
        self.recheckInterval = max(.zero, recheckInterval)
        self.recheckFor = max(.zero, recheckFor)
    }

    /// Whether a null status of a transaction at `slot` is worth a `getTransaction`: only a check made this late counts.
    public func counts(slot: UInt64, finalizedSlot: UInt64) -> Bool {
        slot <= finalizedSlot && finalizedSlot - slot >= expirySlots
    }

    /// What one check of a stored transaction means.
    public func verdict(for transaction: SettlingTransaction, sighting: ChainSighting, finalizedSlot: UInt64, now: Date) -> SettleVerdict {
        switch sighting {
        case .unknown:
            return .wait
        case .finalized(let slot), .unfinalized(let slot):
            if slot != transaction.slot { return .moved(slot: slot) }
            if case .finalized = sighting { return .finalize }
            return .seen
        case .missing:
            guard counts(slot: transaction.slot, finalizedSlot: finalizedSlot) else { return .wait }
            var record =
                transaction.absence
                ?? AbsenceRecord(misses: 0, firstSlot: finalizedSlot, firstAt: now, lastSlot: finalizedSlot, lastAt: now)
            record.misses += 1
            record.lastSlot = max(record.lastSlot, finalizedSlot)
            record.lastAt = max(record.lastAt, now)
            if transaction.dropped { return .miss(record) }
            let slots = record.lastSlot >= record.firstSlot ? record.lastSlot - record.firstSlot : 0
            if record.misses >= misses, slots >= spanSlots, record.lastAt.timeIntervalSince(record.firstAt) >= span.totalSeconds {
                record.droppedAt = now
                return .drop(record)
            }
            return .miss(record)
        }
    }

    /// Which dropped transactions are due to be looked for again at `now`: dropped since `droppedSince`, last checked
    /// before `checkedBefore`.
    public func recheckWindow(now: Date) -> (droppedSince: Date, checkedBefore: Date) {
        (now.addingTimeInterval(-recheckFor.totalSeconds), now.addingTimeInterval(-recheckInterval.totalSeconds))
    }

    /// Where a cursor at a dropped transaction at `slot` moves back to: below this slot.
    public func rewindBelow(slot: UInt64) -> UInt64 {
        slot > forkDepthSlots ? slot - forkDepthSlots : 0
    }
}
