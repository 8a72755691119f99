import Foundation
public import SolanaCore

/// Where a signature stands: its slot, its error if it failed, and its commitment.
public struct SignatureStatus: Sendable, Hashable {
    public var slot: UInt64
    /// Confirmations so far; nil once finalized.
    public var confirmations: UInt64?
    /// The transaction error, when the transaction failed (it still landed and paid its fee).
    public var error: JSONValue?
    public var confirmationStatus: Commitment?

    public init(slot: UInt64, confirmations: UInt64? = nil, error: JSONValue? = nil, confirmationStatus: Commitment? = nil) {
        self.slot = slot
        self.confirmations = confirmations
        self.error = error
        self.confirmationStatus = confirmationStatus
    }

    /// Whether the transaction succeeded.
    public var succeeded: Bool { error == nil || error == .null }

    /// Whether its block is confirmed or finalized (a status without a level counts as processed): what it did, success
    /// or failure, stands.
    public var isConfirmed: Bool { (confirmationStatus ?? .processed) >= .confirmed }
}
