/// A confirmed job as the finalizer checks it: the transaction that confirmed it and what it needs to tell, should the
/// node not have that transaction, whether the block that confirmed it was abandoned.
public struct ConfirmedJobCheck: Sendable, Hashable {
    public var id: Int64
    /// The signature of the transaction that confirmed the job.
    public var signature: String
    /// Every transaction the job stored, oldest first (the confirmed one among them).
    public var signatures: [String]
    public var mintAddress: String?
    /// The newest stored transaction's last valid block height (older ones expire earlier).
    public var lastValidBlockHeight: UInt64?

    public init(id: Int64, signature: String, signatures: [String], mintAddress: String?, lastValidBlockHeight: UInt64?) {
        self.id = id
        self.signature = signature
        self.signatures = signatures
        self.mintAddress = mintAddress
        self.lastValidBlockHeight = lastValidBlockHeight
    }
}
