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
/// A read holds `held` signatures at most (besides its first and last pages): a longer history is handed out in
/// parts, the pages let go read again when their turn comes (`HeldPages`).
public struct SignatureHistory: Sendable {
    public let rpc: SolanaRPCClient
    /// Signatures per `getSignaturesForAddress` call (the node's maximum is 1000).
    public let pageSize: Int
    /// Signatures one read holds at most besides its first page and the last two it read.
    public let held: Int

    public init(rpc: SolanaRPCClient, pageSize: Int = 1000, held: Int = 100_000) {
        self.rpc = rpc
        self.pageSize = min(max(1, pageSize), 1000)
        self.held = max(0, held)
    }

    /// Every signature of `address` newer than `cursor`, oldest first: `read`, then each of its parts.
    public func signatures(
        of address: PublicKey, newerThan cursor: SignatureCursor?, startSlot: UInt64? = nil, firstPage: [SignatureInfo]? = nil,
        commitment: Commitment = .confirmed
    ) async throws(RPCError) -> [SignatureInfo] {
        let read = try await read(of: address, newerThan: cursor, startSlot: startSlot, firstPage: firstPage, commitment: commitment)
        var all: [SignatureInfo] = []
        for part in 0..<read.parts { all += try await entries(of: read, part: part) }
        return all
    }

    /// Reads the history of `address` newer than `cursor` (the whole history when nil, or back to `startSlot` included
    /// when given), failed transactions included, into parts to take oldest first with `entries(of:part:)`.
    /// Signatures that arrive while it pages are left for the next read: the first page fixes the newest one. Should the
    /// cursor's signature be unknown to the node (dropped), paging still stops at the cursor's slot. `firstPage`, when
    /// given, is the answer to the first call (newest first, `until` the cursor, `pageSize` at most), already fetched
    /// in a batch with other addresses', and `ledgerStart` where the ledger of the node that listed it starts, when
    /// that was asked. An answer that would lose part of the history (`SignaturePaging`) throws `invalidResponse`
    /// naming the address.
    public func read(
        of address: PublicKey, newerThan cursor: SignatureCursor?, startSlot: UInt64? = nil, firstPage: [SignatureInfo]? = nil,
        ledgerStart: UInt64? = nil, commitment: Commitment = .confirmed
    ) async throws(RPCError) -> SignatureRead {
        var paging = SignaturePaging(
            address: address, cursor: cursor, startSlot: startSlot, pageSize: pageSize, held: held, ledgerStart: ledgerStart)
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
                return SignatureRead(
                    address: address, until: cursor?.signature, commitment: commitment, segments: paging.pages.segments,
                    peakHeld: paging.pages.peak)
            case .page(let before):
                step = try paging.take(
                    try await rpc.signaturesForAddress(address, before: before, until: cursor?.signature, limit: pageSize, commitment: commitment))
            case .confirmEnd(let before):
                let (older, anchorKnown) = try await rpc.signatures(of: address, olderThan: before, limit: 1, commitment: commitment)
                step = try paging.confirmEnd(older, anchorKnown: anchorKnown)
            }
        }
    }

    /// The signatures of `read`'s part `part`, oldest first: held, or its page read again from the node, which must
    /// list the same page as before (else `invalidResponse`, naming the address).
    public func entries(of read: SignatureRead, part: Int) async throws(RPCError) -> [SignatureInfo] {
        guard read.segments.indices.contains(part) else { return [] }
        switch read.segments[part] {
        case .listed(let entries):
            return entries
        case .reRead(let pages):
            var entries: [SignatureInfo] = []
            for released in pages {
                let page = try await rpc.signaturesForAddress(
                    read.address, before: released.before, until: read.until, limit: pageSize, commitment: read.commitment)
                guard let again = HeldPages.reRead(page, as: released) else {
                    throw RPCError(
                        .invalidResponse,
                        "getSignaturesForAddress for \(read.address) lists other signatures before \(released.before) than it did "
                            + "earlier in this read (\(page.count) against \(released.count); a failover to a lagging endpoint?). The "
                            + "older part of the history was indexed and the cursor moved with it; the rest is read again at the "
                            + "next poll. If this persists, take that endpoint out of SOLANA_RPC_URL")
                }
                entries += again
            }
            return entries
        }
    }
}

/// One read of an address's history (`SignatureHistory.read`), in parts to take oldest first: the parts held, and
/// between them the pages let go, read again a part (at most `held` signatures) at a time.
public struct SignatureRead: Sendable {
    let address: PublicKey
    let until: Signature?
    let commitment: Commitment
    let segments: [HeldPages.Segment]
    /// The most signatures the read held at once.
    public let peakHeld: Int

    /// How many parts (`SignatureHistory.entries(of:part:)`).
    public var parts: Int { segments.count }

    /// The pages read again from the node (one `getSignaturesForAddress` call each).
    public var pagesReadAgain: Int {
        segments.reduce(0) { count, segment in
            if case .reRead(let pages) = segment { count + pages.count } else { count }
        }
    }
}
