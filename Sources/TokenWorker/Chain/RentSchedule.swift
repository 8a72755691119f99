/// Rent-exempt minimums for every account size, from two the node answered: the runtime's rule is linear in the size
/// (`(128 + size) × lamports per byte-year × 2`), so the minimum of an empty account and of one of `sampleSpace` bytes
/// give every other. Jobs' Token-2022 mints differ in size with their metadata; this way they cost no call each.
public struct RentSchedule: Sendable, Hashable {
    /// The minimum of an account without data (its storage overhead).
    public var emptyAccount: UInt64
    /// What each byte of data adds.
    public var perByte: UInt64

    /// The schedule two answers imply, or nil when they are not linear (a node with another rule: ask it per size).
    public init?(emptyAccount: UInt64, sampleSpace: Int, sampleRent: UInt64) {
        guard sampleSpace > 0, sampleRent > emptyAccount, (sampleRent - emptyAccount) % UInt64(sampleSpace) == 0 else { return nil }
        self.emptyAccount = emptyAccount
        self.perByte = (sampleRent - emptyAccount) / UInt64(sampleSpace)
    }

    /// The minimum of an account of `space` bytes (at most `UInt64.max`).
    public func minimumBalance(space: Int) -> UInt64 {
        let (bytes, overflow) = perByte.multipliedReportingOverflow(by: UInt64(max(0, space)))
        let (total, overflowAgain) = emptyAccount.addingReportingOverflow(bytes)
        return overflow || overflowAgain ? .max : total
    }
}
