public import Foundation

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
