public import Foundation

/// Where the index stands, as `IndexStore.status()` reads it: what the status API's `/v1/index` shows.
public struct IndexStatus: Sendable {
    /// A configured address (mint, escrow, fee wallet, program) and its cursor.
    public struct Address: Sendable {
        public var address: String
        public var role: AddressRole
        public var newestSignature: String?
        public var newestSlot: UInt64?
        public var signaturesSeen: Int
        public var updatedAt: Date?
    }

    public var addresses: [Address]
    /// Token accounts followed besides the configured addresses.
    public var discoveredAccounts: Int
    /// Every indexed transaction at or below this slot is finalized or dropped; nil when nothing is indexed.
    public var finalizedWatermark: UInt64?
    /// The newest slot of an indexed (not dropped) transaction.
    public var newestIndexedSlot: UInt64?
}
