public import Foundation
public import SolanaCore

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

/// A stored transaction as the settling pass checks it: its slot, whether it is dropped, and its misses so far.
public struct SettlingTransaction: Sendable, Hashable {
    public var signature: Signature
    public var slot: UInt64
    public var dropped: Bool
    public var absence: AbsenceRecord?

    public init(signature: Signature, slot: UInt64, dropped: Bool = false, absence: AbsenceRecord? = nil) {
        self.signature = signature
        self.slot = slot
        self.dropped = dropped
        self.absence = absence
    }
}

/// The checks in a row that found a stored transaction nowhere (a row of `chain_absence_checks`): how many, and the
/// finalized slot and time of the first and the latest; `droppedAt` once it was dropped.
public struct AbsenceRecord: Sendable, Hashable {
    public var misses: Int
    public var firstSlot: UInt64
    public var firstAt: Date
    public var lastSlot: UInt64
    public var lastAt: Date
    public var droppedAt: Date?

    public init(misses: Int, firstSlot: UInt64, firstAt: Date, lastSlot: UInt64, lastAt: Date, droppedAt: Date? = nil) {
        self.misses = misses
        self.firstSlot = firstSlot
        self.firstAt = firstAt
        self.lastSlot = lastSlot
        self.lastAt = lastAt
        self.droppedAt = droppedAt
    }
}

/// What one check found of a stored transaction: a status or a `getTransaction` answer at a slot, nothing at all, or
/// nothing to go by (the RPC failed).
public enum ChainSighting: Sendable, Hashable {
    case finalized(slot: UInt64)
    case unfinalized(slot: UInt64)
    /// A null status and a null `getTransaction` at `finalized`.
    case missing
    case unknown
}

/// What the settling pass does with a stored transaction after a check.
public enum SettleVerdict: Sendable, Hashable {
    /// Seen finalized where it is stored: marked finalized (restored first, if it was dropped).
    case finalize
    /// Seen where it is stored, not finalized yet: its misses are forgotten (restored, if it was dropped).
    case seen
    /// Nothing learnt: the check was too early or the RPC failed.
    case wait
    /// Not found, not dropped (yet, or again): the misses so far.
    case miss(AbsenceRecord)
    /// Not found often and long enough: dropped.
    case drop(AbsenceRecord)
    /// Seen in another slot: what is stored happened on a fork that died; it is written again as the chain has it.
    case moved(slot: UInt64)
}
