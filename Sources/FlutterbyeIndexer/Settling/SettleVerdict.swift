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
