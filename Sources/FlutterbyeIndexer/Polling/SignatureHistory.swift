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
    public func signatures(
        of address: PublicKey, newerThan cursor: SignatureCursor?, startSlot: UInt64? = nil, firstPage: [SignatureInfo]? = nil,
        commitment: Commitment = .confirmed
    ) async throws(RPCError) -> [SignatureInfo] {
        var newestFirst: [SignatureInfo] = []
        var before: Signature?
        var prefetched = firstPage
        while true {
            let page: [SignatureInfo]
            if let first = prefetched {
                page = first
                prefetched = nil
            } else {
                page = try await rpc.signaturesForAddress(
                    address, before: before, until: cursor?.signature, limit: pageSize, commitment: commitment)
            }
            var reachedEnd = false
            for entry in page {
                if let cursor, entry.slot < cursor.slot || entry.signature == cursor.signature {
                    reachedEnd = true
                    break
                }
                if let startSlot, entry.slot < startSlot {
                    reachedEnd = true
                    break
                }
                newestFirst.append(entry)
            }
            guard !reachedEnd, page.count >= pageSize, let last = page.last else { break }
            before = last.signature
        }
        return newestFirst.reversed()
    }
}
