import Foundation

/// A point in the event log: the transaction that wrote an event (its 64-bit id, `xid8`) and the event's sequence
/// number. Events are read in cursor order, and an event committed later always has a larger cursor than one that
/// can already be read, so "every event after this cursor" misses nothing and repeats nothing.
public struct EventCursor: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var transaction: UInt64
    public var sequence: Int64

    public init(transaction: UInt64, sequence: Int64) {
        self.transaction = transaction
        self.sequence = sequence
    }

    /// Before every event.
    public static let origin = EventCursor(transaction: 0, sequence: 0)

    /// Reads the text form (`<transaction>-<sequence>`, e.g. `8142-5531`); nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
            let transaction = UInt64(parts[0]), let sequence = Int64(parts[1])
        else { return nil }
        self.init(transaction: transaction, sequence: sequence)
    }

    /// The text form clients keep and send back to resume.
    public var description: String { "\(transaction)-\(sequence)" }

    public static func < (a: EventCursor, b: EventCursor) -> Bool {
        (a.transaction, a.sequence) < (b.transaction, b.sequence)
    }
}
