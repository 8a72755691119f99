public import FlutterbyeStore
public import Foundation
import PostgresNIO
public import SolanaCore

/// What one settling pass decided, written in one statement by `IndexStore.settle`.
public struct Settlement: Sendable {
    /// Seen finalized where stored.
    public var finalized: [Signature] = []
    /// Dropped ones seen again where stored: restored, and finalized when they were seen finalized.
    public var restored: [(signature: Signature, finalized: Bool)] = []
    /// Seen: their misses are forgotten.
    public var seen: [Signature] = []
    /// Not found: their misses so far (the dropped ones' included).
    public var absences: [(signature: Signature, record: AbsenceRecord)] = []
    /// Dropped now; cursors at or past one of them move back to a finalized transaction below its `rewindBelow` slot.
    public var dropped: [(signature: Signature, rewindBelow: UInt64)] = []
    /// Seen in another slot than stored (written again after this): the fork that held them where stored may have
    /// hidden other transactions below where they are now, so cursors at or past their stored slot move back as for a
    /// drop.
    public var moved: [(signature: Signature, rewindBelow: UInt64)] = []

    public init() {}

    public var isEmpty: Bool {
        finalized.isEmpty && restored.isEmpty && seen.isEmpty && absences.isEmpty && dropped.isEmpty && moved.isEmpty
    }
}

extension IndexStore {
    /// Up to `limit` stored transactions that are neither finalized nor dropped, oldest first, with their misses.
    public func unsettled(limit: Int) async throws(StoreError) -> [SettlingTransaction] {
        try await settling(
            """
            SELECT t.signature, t.slot, t.dropped, c.misses, c.first_slot, c.first_at, c.last_slot, c.last_at, c.dropped_at
            FROM flutterbye.chain_transactions t LEFT JOIN flutterbye.chain_absence_checks c ON c.signature = t.signature
            WHERE NOT t.finalized AND NOT t.dropped ORDER BY t.slot LIMIT \(Int64(limit))
            """, "reading unsettled transactions")
    }

    /// Up to `limit` dropped transactions to look for again: dropped since `droppedSince`, last checked before
    /// `checkedBefore` (`DropPolicy.recheckWindow`), least recently checked first.
    public func droppedToRecheck(droppedSince: Date, checkedBefore: Date, limit: Int) async throws(StoreError) -> [SettlingTransaction] {
        try await settling(
            """
            SELECT t.signature, t.slot, t.dropped, c.misses, c.first_slot, c.first_at, c.last_slot, c.last_at, c.dropped_at
            FROM flutterbye.chain_absence_checks c JOIN flutterbye.chain_transactions t ON t.signature = c.signature
            WHERE t.dropped AND c.dropped_at >= \(droppedSince) AND c.last_at <= \(checkedBefore)
            ORDER BY c.last_at LIMIT \(Int64(limit))
            """, "reading dropped transactions to check again")
    }

    func settling(_ query: PostgresQuery, _ doing: String) async throws(StoreError) -> [SettlingTransaction] {
        var result: [SettlingTransaction] = []
        for row in try await run(query, doing) {
            do {
                let (text, slot, dropped, misses, firstSlot, firstAt, lastSlot, lastAt, droppedAt) = try row.decode(
                    (String, Int64, Bool, Int32?, Int64?, Date?, Int64?, Date?, Date?).self)
                guard let signature = try? Signature(base58: text) else { continue }
                var absence: AbsenceRecord?
                if let misses, let firstSlot, let firstAt, let lastSlot, let lastAt {
                    absence = AbsenceRecord(
                        misses: Int(misses), firstSlot: UInt64(max(0, firstSlot)), firstAt: firstAt, lastSlot: UInt64(max(0, lastSlot)),
                        lastAt: lastAt, droppedAt: droppedAt)
                }
                result.append(SettlingTransaction(signature: signature, slot: UInt64(max(0, slot)), dropped: dropped, absence: absence))
            } catch {
                throw StoreError.statementFailed(error, while: doing)
            }
        }
        return result
    }

    /// Writes a settling pass in one statement: finalized and restored transactions (a restored one's movements are
    /// logged again as events), misses, drops (each with its `transaction_dropped` event). Every cursor at a dropped or
    /// moved transaction, or past its stored slot (a poll may have moved it on, past a transaction of the canonical
    /// chain in a lower slot that the dead fork hid), moves back to the newest stored, finalized transaction below the
    /// lowest `rewindBelow` of those, or to nothing (the address's beginning) when there is none; the moved cursors
    /// are returned.
    public func settle(_ settlement: Settlement) async throws(StoreError) -> [AddressCursor] {
        guard !settlement.isEmpty else { return [] }
        let finalized = settlement.finalized.map(\.base58)
        let restored = settlement.restored.map(\.signature.base58)
        let restoredFinalized = settlement.restored.map(\.finalized)
        let seen = settlement.seen.map(\.base58)
        let absences = settlement.absences.sorted { $0.signature.base58 < $1.signature.base58 }
        let absent = absences.map(\.signature.base58)
        let misses = absences.map { Int32(clamping: $0.record.misses) }
        let firstSlots = absences.map { Int64(clamping: $0.record.firstSlot) }
        let lastSlots = absences.map { Int64(clamping: $0.record.lastSlot) }
        let firstAt = absences.map(\.record.firstAt.timeIntervalSince1970)
        let lastAt = absences.map(\.record.lastAt.timeIntervalSince1970)
        // -1: not dropped.
        let droppedAt = absences.map { $0.record.droppedAt?.timeIntervalSince1970 ?? -1 }
        let dropped = settlement.dropped.map(\.signature.base58)
        let rewindBelow = settlement.dropped.map { Int64(clamping: $0.rewindBelow) }
        let moved = settlement.moved.map(\.signature.base58)
        let movedRewindBelow = settlement.moved.map { Int64(clamping: $0.rewindBelow) }
        let rows = try await run(
            """
            WITH finalized AS (
                UPDATE flutterbye.chain_transactions SET finalized = true
                WHERE signature = ANY(\(finalized)::text[]) AND NOT finalized AND NOT dropped
                RETURNING 1
            ), restored AS (
                UPDATE flutterbye.chain_transactions t SET dropped = false, finalized = r.finalized
                FROM unnest(\(restored)::text[], \(restoredFinalized)::bool[]) AS r(signature, finalized)
                WHERE t.signature = r.signature AND t.dropped
                RETURNING 1
            ), cleared AS (
                DELETE FROM flutterbye.chain_absence_checks WHERE signature = ANY(\(seen)::text[]) OR signature = ANY(\(finalized)::text[])
                RETURNING 1
            ), recorded AS (
                INSERT INTO flutterbye.chain_absence_checks AS c (signature, misses, first_slot, first_at, last_slot, last_at, dropped_at)
                SELECT signature, misses, first_slot, to_timestamp(first_at), last_slot, to_timestamp(last_at),
                       CASE WHEN dropped_at < 0 THEN NULL ELSE to_timestamp(dropped_at) END
                FROM unnest(\(absent)::text[], \(misses)::int4[], \(firstSlots)::int8[], \(firstAt)::float8[], \(lastSlots)::int8[],
                            \(lastAt)::float8[], \(droppedAt)::float8[])
                    AS a(signature, misses, first_slot, first_at, last_slot, last_at, dropped_at)
                ON CONFLICT (signature) DO UPDATE
                SET misses = excluded.misses, first_slot = excluded.first_slot, first_at = excluded.first_at,
                    last_slot = excluded.last_slot, last_at = excluded.last_at, dropped_at = coalesce(c.dropped_at, excluded.dropped_at)
                RETURNING 1
            ), dropped AS (
                UPDATE flutterbye.chain_transactions t SET dropped = true
                FROM unnest(\(dropped)::text[], \(rewindBelow)::int8[]) AS d(signature, rewind_below)
                WHERE t.signature = d.signature AND NOT t.dropped
                RETURNING t.signature, t.slot, d.rewind_below
            ), moved AS (
                SELECT t.signature, t.slot, m.rewind_below
                FROM flutterbye.chain_transactions t JOIN unnest(\(moved)::text[], \(movedRewindBelow)::int8[]) AS m(signature, rewind_below)
                    ON t.signature = m.signature
            ), moved_back AS (
                SELECT c.address, min(d.rewind_below) AS rewind_below
                FROM flutterbye.chain_address_cursors c
                JOIN (SELECT signature, slot, rewind_below FROM dropped UNION ALL SELECT signature, slot, rewind_below FROM moved) d
                    ON c.newest_signature = d.signature OR c.newest_slot >= d.slot
                GROUP BY c.address
            ), rewound AS (
                UPDATE flutterbye.chain_address_cursors c
                SET newest_signature = anchor.signature, newest_slot = anchor.slot, updated_at = now()
                FROM moved_back m
                LEFT JOIN LATERAL (
                    SELECT s.signature, s.slot FROM flutterbye.chain_transactions s
                    WHERE s.finalized AND NOT s.dropped AND s.slot < m.rewind_below
                    ORDER BY s.slot DESC LIMIT 1
                ) anchor ON true
                WHERE c.address = m.address
                RETURNING c.address, c.role, c.newest_signature, c.newest_slot
            )
            SELECT address, role, newest_signature, newest_slot,
                   (SELECT count(*) FROM finalized) + (SELECT count(*) FROM restored) + (SELECT count(*) FROM cleared)
                   + (SELECT count(*) FROM recorded)
            FROM rewound
            """, "settling indexed transactions")
        var cursors: [AddressCursor] = []
        for row in rows {
            guard let (address, role, signature, slot, _) = try? row.decode((String, String, String?, Int64?, Int64).self),
                let key = try? PublicKey(base58: address), let role = AddressRole(rawValue: role)
            else { continue }
            var cursor: SignatureCursor?
            if let signature, let slot, let parsed = try? Signature(base58: signature) {
                cursor = SignatureCursor(signature: parsed, slot: UInt64(max(0, slot)))
            }
            cursors.append(AddressCursor(address: key, role: role, cursor: cursor))
        }
        return cursors
    }
}
