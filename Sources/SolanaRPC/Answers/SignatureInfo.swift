import Foundation
public import SolanaCore

/// One entry of `getSignaturesForAddress`: a transaction that touched the address.
public struct SignatureInfo: Sendable, Hashable {
    public var signature: Signature
    public var slot: UInt64
    public var error: JSONValue?
    public var memo: String?
    public var blockTime: Int64?
    public var confirmationStatus: Commitment?
}
