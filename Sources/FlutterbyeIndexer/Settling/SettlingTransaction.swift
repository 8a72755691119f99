public import SolanaCore

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
