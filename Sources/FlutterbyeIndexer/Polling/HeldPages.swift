import SolanaCore
import SolanaRPC

/// The pages of one history read that are kept in memory, as a value: at most `limit` signatures besides the first
/// page and the last two read. Beyond that, the newest pages after the first are let go, keeping only what reads
/// each of them again (its `before` anchor) and tells whether the answer is the same page (its length and digest).
/// A history of millions of transactions (a watched wallet anyone can send dust to) is then read in segments,
/// oldest first, without holding every signature at once.
struct HeldPages: Sendable {
    /// A page read and let go.
    struct Released: Sendable, Hashable {
        /// The `before` anchor it was read with.
        let before: Signature
        /// Its entries as the node listed them (copies included).
        let count: Int
        /// A digest of its entries' signatures and slots, in order.
        let digest: Int
    }

    /// A part of the history, oldest first: entries held, or pages to read again (oldest first, together at most
    /// the limit, or one).
    enum Segment: Sendable, Hashable {
        case listed([SignatureInfo])
        case reRead([Released])
    }

    private struct Page: Sendable {
        let before: Signature?
        let count: Int
        let digest: Int
        /// Newest first, each signature once over the pages held when it was read.
        let entries: [SignatureInfo]
    }

    /// Signatures held at most besides the first page and the last two read.
    let limit: Int
    /// The first page (read without `before`): it cannot be read again as it was, so it is never let go.
    private var first: Page?
    /// Pages let go, newest first.
    private(set) var released: [Released] = []
    /// The pages after the released ones, newest first.
    private var held: [Page] = []
    private var heldCount = 0
    /// The signatures of `first` and `held`.
    private var listed: Set<Signature> = []
    /// The most signatures held at once (for tests).
    private(set) var peak = 0

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    /// Whether `signature` is held (listed by a page held).
    func contains(_ signature: Signature) -> Bool { listed.contains(signature) }

    /// Every entry held, newest first.
    var newestFirst: [SignatureInfo] { (first?.entries ?? []) + held.flatMap(\.entries) }

    /// The digest of a page's entries as the node listed them.
    static func digest(_ page: some Sequence<SignatureInfo>) -> Int {
        var hasher = Hasher()
        for entry in page {
            hasher.combine(entry.signature)
            hasher.combine(entry.slot)
        }
        return hasher.finalize()
    }

    /// Adds a page read with `before` (nil for the first): `raw` as the node answered, `entries` what of it the read
    /// keeps (new signatures, down to where the read ends), newest first. Then lets go of pages while over the limit.
    mutating func add(raw: [SignatureInfo], entries: [SignatureInfo], before: Signature?) {
        let page = Page(before: before, count: raw.count, digest: Self.digest(raw), entries: entries)
        for entry in entries { listed.insert(entry.signature) }
        if before == nil && first == nil {
            first = page
        } else {
            held.append(page)
            heldCount += entries.count
        }
        peak = max(peak, heldCount + (first?.entries.count ?? 0))
        while heldCount > limit, held.count > 2, let before = held[0].before {
            let page = held.removeFirst()
            heldCount -= page.entries.count
            for entry in page.entries { listed.remove(entry.signature) }
            released.append(Released(before: before, count: page.count, digest: page.digest))
        }
    }

    /// The history read, oldest first: the pages held after the released ones, the released pages to read again
    /// (the oldest first, as many in one part as the limit holds, so that a part is fetched and stored with as much
    /// overlap as a whole read), then the first page. Without a released page, one segment of everything.
    var segments: [Segment] {
        let older = held.flatMap(\.entries)
        let newest = first?.entries ?? []
        guard !released.isEmpty else { return (newest + older).isEmpty ? [] : [.listed((newest + older).reversed())] }
        var groups: [[Released]] = []
        var count = 0
        for page in released.reversed() {
            if !groups.isEmpty, count + page.count <= limit {
                groups[groups.count - 1].append(page)
                count += page.count
            } else {
                groups.append([page])
                count = page.count
            }
        }
        return [.listed(older.reversed())] + groups.map(Segment.reRead) + (newest.isEmpty ? [] : [.listed(newest.reversed())])
    }

    /// The entries of a released page read again (`page`, newest first), oldest first and each signature once, when it
    /// is the page read before; otherwise nil (the node's answer changed or it lags: the read must fail).
    static func reRead(_ page: [SignatureInfo], as released: Released) -> [SignatureInfo]? {
        guard page.count == released.count, digest(page) == released.digest else { return nil }
        return firstCopies(page).reversed()
    }

    /// `entries` with each signature once, where it came first (solana-labs/solana#24417 lists some twice).
    static func firstCopies(_ entries: some Sequence<SignatureInfo>) -> [SignatureInfo] {
        var seen: Set<Signature> = []
        return entries.filter { seen.insert($0.signature).inserted }
    }
}
