public import SolanaCore
public import SolanaRPC

/// Where the indexing of one address stands: the newest signature indexed, and its slot.
public struct SignatureCursor: Sendable, Hashable {
    public var signature: Signature
    public var slot: UInt64

    public init(signature: Signature, slot: UInt64) {
        self.signature = signature
        self.slot = slot
    }
}

/// An address's transaction history past a cursor, read with `getSignaturesForAddress`: newest first from the node,
/// `until` the cursor, paging back with `before`, then handed out oldest first so the cursor can advance with it.
public struct SignatureHistory: Sendable {
    public let rpc: SolanaRPCClient
    /// Signatures per `getSignaturesForAddress` call (the node's maximum is 1000).
    public let pageSize: Int

    public init(rpc: SolanaRPCClient, pageSize: Int = 1000) {
        self.rpc = rpc
        self.pageSize = min(max(1, pageSize), 1000)
    }

    /// Every signature of `address` newer than `cursor` (the whole history when nil, or back to `startSlot` included
    /// when given), oldest first, failed transactions included. Signatures that arrive while it pages are left for
    /// the next call: the first page fixes the newest one returned. Should the cursor's signature be unknown to the
    /// node (dropped), paging still stops at the cursor's slot. `firstPage`, when given, is the answer to the first
    /// call (newest first, `until` the cursor, `pageSize` at most), already fetched in a batch with other addresses'.
    /// An answer that would lose part of the history (`SignaturePaging`) throws `invalidResponse` naming the address.
    public func signatures(
        of address: PublicKey, newerThan cursor: SignatureCursor?, startSlot: UInt64? = nil, firstPage: [SignatureInfo]? = nil,
        commitment: Commitment = .confirmed
    ) async throws(RPCError) -> [SignatureInfo] {
        var paging = SignaturePaging(address: address, cursor: cursor, startSlot: startSlot, pageSize: pageSize)
        var step: SignaturePaging.Step
        if let firstPage {
            step = try paging.take(firstPage)
        } else {
            step = try paging.take(
                try await rpc.signaturesForAddress(address, until: cursor?.signature, limit: pageSize, commitment: commitment))
        }
        while true {
            switch step {
            case .done:
                return paging.newestFirst.reversed()
            case .page(let before):
                step = try paging.take(
                    try await rpc.signaturesForAddress(address, before: before, until: cursor?.signature, limit: pageSize, commitment: commitment))
            case .confirmEnd(let before):
                let (older, anchorKnown) = try await rpc.signatures(of: address, olderThan: before, limit: 1, commitment: commitment)
                step = try paging.confirmEnd(older, anchorKnown: anchorKnown)
            }
        }
    }
}
