import SolanaCore
import SolanaRPC
import Testing

@testable import FlutterbyeIndexer

/// A node keeps its ledger from a slot on (`getFirstAvailableBlock`: 0 on an archive, a day or two back on a node
/// with the default ledger limit). Asked for an address's history `until` a cursor older than that, it does not know
/// the cursor and lists what it has: a short page that looked like the end of the history, so the cursor moved past
/// every transaction between it and the node's first slot, for good. A read that ends without reaching the cursor,
/// asked of a node whose ledger starts after the slot the read must go back to (the cursor's, the start slot, or
/// genesis for a whole history), is refused; one that reaches it, or whose node keeps enough, ends as before.
struct LedgerStartTests {
    static func paging(cursor: Int?, startSlot: UInt64? = nil, ledgerStart: UInt64?, pageSize: Int = 1000) -> SignaturePaging {
        SignaturePaging(
            address: SignaturePagingTests.address,
            cursor: cursor.map { SignatureCursor(signature: PollScheduleTests.signature($0), slot: UInt64($0)) }, startSlot: startSlot,
            pageSize: pageSize, ledgerStart: ledgerStart)
    }

    @Test func aShortPageFromANodeWhoseLedgerStartsAfterTheCursorIsRefused() throws {
        // The cursor at slot 10; the node keeps slots from 25 on, so lists 25...30 of 11...30.
        var pruned = Self.paging(cursor: 10, ledgerStart: 25)
        SignaturePagingTests.expectRefusal("slots 11...24 never listed") { () throws(RPCError) in
            _ = try pruned.take(SignaturePagingTests.page([30, 29, 28, 27, 26, 25]))
        }
        var empty = Self.paging(cursor: 10, ledgerStart: 25)
        SignaturePagingTests.expectRefusal("an empty page says nothing of 11...24") { () throws(RPCError) in _ = try empty.take([]) }
        // A node that keeps the cursor's slot: the short page is the end.
        for kept in [0, 5, 10] as [UInt64] {
            var paging = Self.paging(cursor: 10, ledgerStart: kept)
            #expect(try paging.take(SignaturePagingTests.page([30, 29])) == .done)
        }
        // Not asked (the address was read to its cursor a moment ago): as before.
        var unasked = Self.paging(cursor: 10, ledgerStart: nil)
        #expect(try unasked.take(SignaturePagingTests.page([30, 29])) == .done)
    }

    /// The ledger start is the first page's node's. A later page may come from another node (a failover between
    /// pages, a provider's load balancer) whose ledger starts later: its short page, listed `until` a cursor it does
    /// not keep, ended the read, and the cursor moved past what lay between. A short page after a full one is now
    /// confirmed as the end by one request (one node: the signature older than its last, and whether it knows that).
    @Test func aShortPageAfterAFullOneFromAnotherNodeIsNotTakenAsTheEnd() throws {
        // The first node keeps everything; the second page's node keeps slots from 26 on, of 11...30.
        var paging = Self.paging(cursor: 10, ledgerStart: 0, pageSize: 3)
        #expect(try paging.take(SignaturePagingTests.page([30, 29, 28])) == .page(before: PollScheduleTests.signature(28)))
        #expect(try paging.take(SignaturePagingTests.page([27, 26])) == .confirmEnd(before: PollScheduleTests.signature(26)))
        SignaturePagingTests.expectRefusal("the pruned node lists nothing older, though the cursor is") { () throws(RPCError) in
            _ = try paging.confirmEnd([], anchorKnown: true)
        }
        SignaturePagingTests.expectRefusal("a node that keeps them lists 25 there") { () throws(RPCError) in
            _ = try paging.confirmEnd([SignaturePagingTests.entry(25, slot: 25)], anchorKnown: true)
        }
        // Where the history truly ends there, the cursor comes next.
        #expect(try paging.confirmEnd([SignaturePagingTests.entry(10, slot: 10)], anchorKnown: true) == .done)
        #expect(paging.newestFirst == SignaturePagingTests.page(26...30).reversed())
    }

    @Test func aFirstReadCutShortByAPrunedLedgerIsNotTheWholeHistory() throws {
        var whole = Self.paging(cursor: nil, ledgerStart: 1999)
        #expect(try whole.take(SignaturePagingTests.page((2001...3000).reversed())) == .page(before: PollScheduleTests.signature(2001)))
        SignaturePagingTests.expectRefusal("slots 0...1998 never read") { () throws(RPCError) in
            _ = try whole.take(SignaturePagingTests.page([2000, 1999]))
        }
        // The node's ledger starts at or before the start slot: complete.
        var fromStart = Self.paging(cursor: nil, startSlot: 1999, ledgerStart: 1999)
        _ = try fromStart.take(SignaturePagingTests.page((2001...3000).reversed()))
        #expect(try fromStart.take(SignaturePagingTests.page([2000, 1999])) == .confirmEnd(before: PollScheduleTests.signature(1999)))
        #expect(try fromStart.confirmEnd([SignaturePagingTests.entry(1998, slot: 1998)], anchorKnown: true) == .done)
        // An archive (its ledger from genesis): complete.
        var archive = Self.paging(cursor: nil, ledgerStart: 0)
        #expect(try archive.take(SignaturePagingTests.page([5, 4])) == .done)
        // An empty page after a full one on a first read, confirmed by the node: refused all the same.
        var confirmed = Self.paging(cursor: nil, ledgerStart: 50, pageSize: 3)
        _ = try confirmed.take(SignaturePagingTests.page([100, 99, 98]))
        #expect(try confirmed.take([]) == .confirmEnd(before: PollScheduleTests.signature(98)))
        SignaturePagingTests.expectRefusal("the node lists nothing before slot 50 because it keeps nothing before it") { () throws(RPCError) in
            _ = try confirmed.confirmEnd([], anchorKnown: true)
        }
    }

    /// A read that meets the cursor (or something older) in the listing has its end in sight, whatever the ledger.
    @Test func aReadThatReachesTheCursorEndsWhateverTheLedger() throws {
        var paging = Self.paging(cursor: 10, ledgerStart: 25)
        #expect(try paging.take(SignaturePagingTests.page([30, 29, 10, 9])) == .done)
        #expect(paging.newestFirst == SignaturePagingTests.page([30, 29]))
    }
}
