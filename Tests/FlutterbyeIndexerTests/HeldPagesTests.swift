import SolanaCore
import SolanaRPC
import Testing

@testable import FlutterbyeIndexer

/// A long read without a node: `SignaturePaging` holds at most its limit (besides the first page and the last two),
/// lets go of the newest pages after the first, and hands the history out in parts, oldest first, the pages let go
/// to be read again and taken only when the node lists the same page.
struct HeldPagesTests {
    static func page(_ numbers: some Sequence<Int>) -> [SignatureInfo] { SignaturePagingTests.page(numbers) }
    static func signature(_ n: Int) -> Signature { PollScheduleTests.signature(n) }

    /// Pages of 2 from 20 down to 10, 4 held: the pages before 19, 17 and 15 are let go.
    static func longRead() throws -> SignaturePaging {
        var paging = SignaturePaging(address: SignaturePagingTests.address, cursor: nil, startSlot: nil, pageSize: 2, held: 4)
        #expect(try paging.take(page([20, 19])) == .page(before: signature(19)))
        for top in stride(from: 18, through: 12, by: -2) {
            #expect(try paging.take(page([top, top - 1])) == .page(before: signature(top - 1)))
        }
        #expect(try paging.take(page([10])) == .confirmEnd(before: signature(10)))
        #expect(try paging.confirmEnd([], anchorKnown: true) == .done)
        return paging
    }

    @Test func aLongReadHoldsItsLimitAndHandsTheHistoryOutOldestFirstInParts() throws {
        let paging = try Self.longRead()
        let released = paging.pages.released
        #expect(released.map(\.before) == [19, 17, 15].map(Self.signature), "the newest pages after the first, newest first")
        #expect(paging.pages.peak <= 4 + 3 * 2)
        #expect(paging.newestFirst == Self.page([20, 19, 12, 11, 10]), "held: the first page and the oldest")

        // The pages to read again, oldest first, as many in a part as the limit holds.
        let segments = paging.pages.segments
        #expect(segments.count == 4)
        #expect(segments.first == .listed(Self.page([10, 11, 12])))
        #expect(segments[1] == .reRead([released[2], released[1]]))
        #expect(segments[2] == .reRead([released[0]]))
        #expect(segments.last == .listed(Self.page([19, 20])))
        // Read again, each released page is the page it was: oldest first, the whole history in order.
        var history: [SignatureInfo] = []
        for segment in segments {
            switch segment {
            case .listed(let entries): history += entries
            case .reRead(let pages):
                for page in pages {
                    let top = [Self.signature(19): 18, Self.signature(17): 16, Self.signature(15): 14][page.before]!
                    history += try #require(HeldPages.reRead(Self.page([top, top - 1]), as: page))
                }
            }
        }
        #expect(history == Self.page(Array((10...20))))
    }

    @Test func aPageReadAgainThatIsNotThePageReadBeforeIsRefused() throws {
        let released = try #require(try Self.longRead().pages.released.first)  // 18, 17
        #expect(HeldPages.reRead(Self.page([18, 17]), as: released) == Self.page([17, 18]))
        #expect(HeldPages.reRead(Self.page([18]), as: released) == nil, "shorter")
        #expect(HeldPages.reRead(Self.page([17, 16]), as: released) == nil, "other signatures")
        #expect(HeldPages.reRead([], as: released) == nil, "a node that does not know the anchor")
        var moved = Self.page([18, 17])
        moved[0].slot = 30
        #expect(HeldPages.reRead(moved, as: released) == nil, "another slot")
    }

    /// A signature listed twice in a page let go comes back once when the page is read again.
    @Test func aPageWithASignatureListedTwiceComesBackOnce() throws {
        var pages = HeldPages(limit: 0)
        pages.add(raw: Self.page([9, 8]), entries: Self.page([9, 8]), before: nil)
        for top in [7, 5, 3] {
            let raw = Self.page([top, top, top - 1])
            pages.add(raw: raw, entries: Self.page([top, top - 1]), before: Self.signature(top + 1))
        }
        let released = try #require(pages.released.first)
        #expect(released.before == Self.signature(8))
        #expect(HeldPages.reRead(Self.page([7, 7, 6]), as: released) == Self.page([6, 7]))
    }

    /// Without a limit reached, one part of everything, as before.
    @Test func aShortReadIsOnePart() throws {
        var paging = SignaturePaging(address: SignaturePagingTests.address, cursor: nil, startSlot: nil, pageSize: 2, held: 100)
        _ = try paging.take(Self.page([5, 4]))
        _ = try paging.take(Self.page([3]))
        #expect(paging.pages.segments == [.listed(Self.page([3, 4, 5]))])
        #expect(HeldPages(limit: 10).segments.isEmpty)
    }
}
