/// A signed transaction a runner stores before its first send: from then on, whatever happens, the job knows what may
/// land.
public struct TransactionSubmission: Sendable, Hashable {
    public var lease: JobLease
    /// The job's mint address; a job that already stored another one keeps it and refuses this submission.
    public var mintAddress: String
    public var signature: String
    public var rawTransaction: [UInt8]
    /// The block height after which the transaction can no longer land.
    public var lastValidBlockHeight: UInt64

    public init(lease: JobLease, mintAddress: String, signature: String, rawTransaction: [UInt8], lastValidBlockHeight: UInt64) {
        self.lease = lease
        self.mintAddress = mintAddress
        self.signature = signature
        self.rawTransaction = rawTransaction
        self.lastValidBlockHeight = lastValidBlockHeight
    }
}
