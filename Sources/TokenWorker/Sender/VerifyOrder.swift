public import Foundation
public import SolanaCore

/// A job whose token's existence is to be judged (`MintVerdict`), with all its transactions' signatures.
public struct VerifyOrder: Sendable, Hashable {
    public var jobID: Int64
    public var expected: MintExpectation
    public var signatures: [Signature]
    /// When the job was enqueued: none of its transactions can be in an older block (`LedgerReach`).
    public var enqueuedAt: Date

    public init(jobID: Int64, expected: MintExpectation, signatures: [Signature], enqueuedAt: Date) {
        self.jobID = jobID
        self.expected = expected
        self.signatures = signatures
        self.enqueuedAt = enqueuedAt
    }
}
