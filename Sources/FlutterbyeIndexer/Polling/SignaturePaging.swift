import SolanaCore
import SolanaRPC

/// The decisions of reading one address's history newest first, page by page, as a value (`SignatureHistory` makes
/// the calls): where a page ends the read, which entries are kept, and which answers are refused because they would
/// lose part of the history or never end it.
///
/// A signature listed twice (solana-labs/solana#24417), in one page or in two, is read once, where it came first: a
/// second copy would make the poll treat the transaction as another poll's, and nobody would fetch it.
///
/// Each page after the first must move back from its `before` anchor: none of its slots above the anchor's, and, when
/// it is full, not only signatures already read (a node that ignores `before` answers the same page forever, and the
/// read would hold its poll and grow without bound).
///
/// An empty page after a full one is what a node answers that does not know the page's `before` anchor (the client
/// failed over to a lagging endpoint between pages), as well as the true end of the history; a short page after a
/// full one may be a node's whose ledger starts after the cursor (another node than the first page's: a failover, a
/// load balancer). One more request tells them apart (`confirmEnd`): from one node, the one signature older than the
/// anchor (the page's last) without `until`, and whether that node knows the anchor. The history ends there when the
/// node knows the anchor and lists nothing older than it but the cursor or what lies beyond it (or nothing at all, for
/// a read without a cursor). A read that ends on its first page, short, costs no such request.
///
/// A node keeps its ledger from a slot on (`ledgerStart`, its `getFirstAvailableBlock`): asked `until` a cursor older
/// than that, it does not know the cursor and lists only what it keeps, a short page like the history's end. When the
/// reader knows where the ledger of the first page's node starts, a read that ends without meeting its cursor is
/// refused if that start lies after the slot the read must go back to (the cursor's, the start slot, or genesis for a
/// whole history).
struct SignaturePaging: Sendable {
    /// The call the reader makes next.
    enum Step: Sendable, Hashable {
        /// The next page: older than `before`, `until` the cursor, a page's size at most.
        case page(before: Signature)
        /// The one signature older than `before`, without `until`, and whether the node knows `before`, from one
        /// node, for `confirmEnd`.
        case confirmEnd(before: Signature)
        /// The read is complete.
        case done
    }

    let address: PublicKey
    let cursor: SignatureCursor?
    let startSlot: UInt64?
    let pageSize: Int
    /// The first slot of the ledger of the node that answered the first page, when asked; nil: not checked.
    let ledgerStart: UInt64?
    /// What was read so far: the pages held, and those let go to be read again (`HeldPages`).
    private(set) var pages: HeldPages
    /// The oldest entry of the last full page: the next page's `before`.
    private var anchor: SignatureInfo?

    /// `held`: signatures held at most besides the first page and the last two (`HeldPages`).
    init(address: PublicKey, cursor: SignatureCursor?, startSlot: UInt64?, pageSize: Int, held: Int = .max, ledgerStart: UInt64? = nil) {
        self.address = address
        self.cursor = cursor
        self.startSlot = startSlot
        self.pageSize = pageSize
        self.ledgerStart = ledgerStart
        self.pages = HeldPages(limit: held)
    }

    /// What is held, newest first, each signature once.
    var newestFirst: [SignatureInfo] { pages.newestFirst }

    /// Takes the answer to the first call, or to `.page`, and says what to do next.
    mutating func take(_ page: [SignatureInfo]) throws(RPCError) -> Step {
        try checkNewestFirst(page)
        if let anchor {
            try checkMovesBack(page, from: anchor)
            if page.isEmpty { return .confirmEnd(before: anchor.signature) }
        }
        // What is past the cursor or the start slot ends the read; of the rest, each signature is kept once.
        let end = page.firstIndex(where: endsRead) ?? page.endIndex
        let kept = HeldPages.firstCopies(page[..<end]).filter { !pages.contains($0.signature) }
        pages.add(raw: page, entries: kept, before: anchor?.signature)
        guard end == page.endIndex, page.count >= pageSize, let last = page.last else {
            guard end == page.endIndex else { return .done }
            try checkLedgerGoesBack()
            guard anchor != nil, let last = page.last else { return .done }
            // A short page after a full one may be another node's (a failover, a load balancer), whose ledger may start
            // after the cursor: confirmed as the end, as an empty page is.
            anchor = last
            return .confirmEnd(before: last.signature)
        }
        anchor = last
        return .page(before: last.signature)
    }

    /// Takes the answer to `.confirmEnd`: the read is complete when the node knows the anchor and the signature it
    /// lists as older than the anchor is the cursor's, older than the cursor or `startSlot`, or none. Otherwise the
    /// empty or short page hid part of the history, or the node does not know the anchor, and the read fails.
    func confirmEnd(_ older: [SignatureInfo], anchorKnown: Bool) throws(RPCError) -> Step {
        guard let anchor else { return .done }
        let reached = cursor.map { "though the cursor \($0.signature) (slot \($0.slot)) was not reached" } ?? "on a first read"
        guard anchorKnown else {
            throw refusal(
                "ended its listing at \(anchor.signature), a signature it had just listed, \(reached): the endpoint does not "
                    + "know that signature (a failover to a lagging endpoint between pages?)")
        }
        guard let next = older.first else {
            guard let cursor else {
                try checkLedgerGoesBack()
                return .done
            }
            throw refusal(
                "lists nothing before \(anchor.signature) though the cursor \(cursor.signature) (slot \(cursor.slot)) is older: the "
                    + "endpoint does not know the cursor's part of the history (a failover to a lagging endpoint between pages?)")
        }
        if endsRead(next) { return .done }
        throw refusal(
            "ended its listing at \(anchor.signature), yet lists \(next.signature) (slot \(next.slot)) before it when asked again"
                + "\(cursor == nil ? "" : " without the cursor"): the endpoint skipped part of the history (a failover to a lagging "
                + "endpoint between pages?)")
    }

    /// Whether `entry` lies past where the read ends: the cursor's signature, or older than the cursor or `startSlot`.
    func endsRead(_ entry: SignatureInfo) -> Bool {
        if let cursor, entry.slot < cursor.slot || entry.signature == cursor.signature { return true }
        if let startSlot, entry.slot < startSlot { return true }
        return false
    }

    /// Refuses the end of a read that did not meet its cursor when the node's ledger starts after the slot the read
    /// must go back to: what lies between is not in the node's ledger, so not in its answers.
    func checkLedgerGoesBack() throws(RPCError) {
        guard let ledgerStart else { return }
        let back = max(cursor?.slot ?? 0, startSlot ?? 0)
        guard ledgerStart > back else { return }
        let what =
            if let cursor, cursor.slot >= (startSlot ?? 0) {
                "the cursor \(cursor.signature) is at slot \(back)"
            } else if startSlot != nil {
                "the read starts at slot \(back) (FLUTTERBYE_INDEX_START_SLOT)"
            } else {
                "a first read goes back to genesis"
            }
        throw refusal(
            "listed no further back than slot \(ledgerStart), where the endpoint's ledger starts (getFirstAvailableBlock), and "
                + "\(what): the transactions in between are not in its answers. Use an endpoint that keeps the whole history "
                + "(an archive); for a new index, FLUTTERBYE_INDEX_START_SLOT at or after slot \(ledgerStart) starts it there")
    }

    /// Refuses a page whose slots ever grow from one entry to the next: read in order, an entry past the cursor ends
    /// the read, and newer ones listed after it would be lost while the cursor moves past them.
    func checkNewestFirst(_ page: [SignatureInfo]) throws(RPCError) {
        guard let index = page.indices.dropFirst().first(where: { page[$0].slot > page[$0 - 1].slot }) else { return }
        throw refusal(
            "listed \(page[index].signature) at slot \(page[index].slot) after \(page[index - 1].signature) at slot "
                + "\(page[index - 1].slot): a page must be newest first")
    }

    /// Refuses a page (older than `anchor`) that does not move back.
    func checkMovesBack(_ page: [SignatureInfo], from anchor: SignatureInfo) throws(RPCError) {
        if let newer = page.first(where: { $0.slot > anchor.slot }) {
            throw refusal(
                "listed \(newer.signature) at slot \(newer.slot) as older than \(anchor.signature) at slot \(anchor.slot): the "
                    + "endpoint does not page back (it ignores `before`?)")
        }
        if page.count >= pageSize, page.allSatisfy({ pages.contains($0.signature) }) {
            throw refusal(
                "listed only signatures it had listed already when asked for those before \(anchor.signature): the endpoint "
                    + "does not page back (it ignores `before`?)")
        }
    }

    /// An invalid answer of the node, naming the address, saying what it means for the index and what to do.
    func refusal(_ what: String) -> RPCError {
        RPCError(
            .invalidResponse,
            "getSignaturesForAddress for \(address) \(what). Nothing of this read was indexed and the address's cursor "
                + "stays; the poll is tried again later. If this persists, take that endpoint out of SOLANA_RPC_URL")
    }
}
