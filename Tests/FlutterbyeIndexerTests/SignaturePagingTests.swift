import SolanaCore
import SolanaRPC
import Testing

@testable import FlutterbyeIndexer

/// `SignaturePaging`'s decisions without a node: what each answer makes the reader do next, and which answers it
/// refuses (an invalid answer naming the address).
struct SignaturePagingTests {
    static let address = try! PublicKey(bytes: [UInt8](repeating: 4, count: 32))

    /// Entry `n` at `slot` (its signature is `PollScheduleTests.signature(n)`).
    static func entry(_ n: Int, slot: UInt64) -> SignatureInfo { PollScheduleTests.entry(n, slot: slot) }

    /// Entries `numbers`, newest first, entry n at slot n.
    static func page(_ numbers: some Sequence<Int>) -> [SignatureInfo] { numbers.map { entry($0, slot: UInt64($0)) } }

    static func paging(cursor: Int?, pageSize: Int = 3) -> SignaturePaging {
        SignaturePaging(
            address: address, cursor: cursor.map { SignatureCursor(signature: PollScheduleTests.signature($0), slot: UInt64($0)) },
            startSlot: nil, pageSize: pageSize)
    }

    static func expectRefusal(_ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(RPCError) -> Void) {
        do throws(RPCError) {
            try body()
            Issue.record("not refused: \(comment)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == .invalidResponse, sourceLocation: sourceLocation)
            #expect(error.message.contains(address.base58), "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    /// A page not newest first (a node's bug, or a hostile one): an entry older than the cursor ended the read there,
    /// the newer ones after it were dropped, and the cursor moved past them to the newest, for good. The first page too.
    @Test func aPageNotNewestFirstIsRefused() {
        let unordered = [Self.entry(12, slot: 12), Self.entry(5, slot: 5), Self.entry(11, slot: 11)]
        Self.expectRefusal("a first page with an entry past the cursor before a newer one") { () throws(RPCError) in
            var paging = Self.paging(cursor: 10)
            _ = try paging.take(unordered)
        }
        Self.expectRefusal("a later page out of order") { () throws(RPCError) in
            var paging = Self.paging(cursor: 1)
            _ = try paging.take(Self.page([20, 19, 18]))
            _ = try paging.take([Self.entry(15, slot: 15), Self.entry(3, slot: 3), Self.entry(14, slot: 14)])
        }
        var sameSlot = Self.paging(cursor: 10)
        #expect(throws: Never.self, "entries of one slot, in any order") {
            _ = try sameSlot.take([Self.entry(13, slot: 12), Self.entry(12, slot: 12), Self.entry(11, slot: 11)])
        }
    }

    /// A short first page ends the read without another call; a short page after a full one is confirmed as the end
    /// by one (it may be another node's: `LedgerStartTests`).
    @Test func aShortPageEndsTheReadWithoutAnotherCall() throws {
        var first = Self.paging(cursor: 10)
        #expect(try first.take(Self.page([12, 11])) == .done)
        var paging = Self.paging(cursor: 10)
        #expect(try paging.take(Self.page([20, 19, 18])) == .page(before: PollScheduleTests.signature(18)))
        #expect(try paging.take(Self.page([17, 16])) == .confirmEnd(before: PollScheduleTests.signature(16)))
        #expect(try paging.confirmEnd([Self.entry(10, slot: 10)], anchorKnown: true) == .done)
        #expect(paging.newestFirst == Self.page([20, 19, 18, 17, 16]))
    }

    /// An empty page after a full one with a cursor not reached: one request confirms, from a node that knows the
    /// anchor, that the history goes on only to the cursor (the cursor next, or something older when the cursor's
    /// transaction is unknown to the node); without a cursor, that nothing is older.
    @Test func anEmptyPageAfterAFullOneEndsTheReadOnlyOnceConfirmed() throws {
        for older in [[Self.entry(10, slot: 10)], [Self.entry(5, slot: 9)]] {
            var paging = Self.paging(cursor: 10)
            #expect(try paging.take(Self.page([13, 12, 11])) == .page(before: PollScheduleTests.signature(11)))
            #expect(try paging.take([]) == .confirmEnd(before: PollScheduleTests.signature(11)))
            #expect(try paging.confirmEnd(older, anchorKnown: true) == .done)
            #expect(paging.newestFirst == Self.page([13, 12, 11]))
        }
        var whole = Self.paging(cursor: nil)
        _ = try whole.take(Self.page([13, 12, 11]))
        #expect(try whole.take([]) == .confirmEnd(before: PollScheduleTests.signature(11)))
        #expect(try whole.confirmEnd([], anchorKnown: true) == .done)
        #expect(whole.newestFirst == Self.page([13, 12, 11]))
        // An empty first page ends the read.
        var quiet = Self.paging(cursor: 10)
        #expect(try quiet.take([]) == .done)
    }

    @Test func anEmptyPageThatHidPartOfTheHistoryOrAnUnknownAnchorIsRefused() throws {
        let answers: [(older: [SignatureInfo], anchorKnown: Bool)] = [
            ([Self.entry(10_000, slot: 10)], true), ([Self.entry(7, slot: 11)], true), ([], true), ([], false),
            ([Self.entry(10, slot: 10)], false),
        ]
        for answer in answers {
            var paging = Self.paging(cursor: 10)
            _ = try paging.take(Self.page([14, 13, 12]))
            #expect(try paging.take([]) == .confirmEnd(before: PollScheduleTests.signature(12)))
            Self.expectRefusal("older: \(answer.older.map(\.slot)), anchor known: \(answer.anchorKnown)") { () throws(RPCError) in
                _ = try paging.confirmEnd(answer.older, anchorKnown: answer.anchorKnown)
            }
        }
        // A first read: an anchor the node does not know, or history listed past an empty page.
        let firstReadAnswers: [(older: [SignatureInfo], anchorKnown: Bool)] = [([], false), ([Self.entry(11, slot: 11)], true)]
        for answer in firstReadAnswers {
            var paging = Self.paging(cursor: nil)
            _ = try paging.take(Self.page([14, 13, 12]))
            #expect(try paging.take([]) == .confirmEnd(before: PollScheduleTests.signature(12)))
            Self.expectRefusal("a first read: \(answer)") { () throws(RPCError) in
                _ = try paging.confirmEnd(answer.older, anchorKnown: answer.anchorKnown)
            }
        }
    }

    /// A page older than its anchor whose slots go up, or a full one of signatures read already (a node ignoring
    /// `before`), is refused: read on, it would never end. The anchor's own slot is no sign (a slot holds many).
    @Test func aPageThatDoesNotMoveBackIsRefused() throws {
        var sameSlot = Self.paging(cursor: nil)
        _ = try sameSlot.take([Self.entry(5, slot: 9), Self.entry(4, slot: 9), Self.entry(3, slot: 9)])
        #expect(try sameSlot.take([Self.entry(2, slot: 9), Self.entry(1, slot: 8)]) == .confirmEnd(before: PollScheduleTests.signature(1)))
        #expect(try sameSlot.confirmEnd([], anchorKnown: true) == .done)
        #expect(sameSlot.newestFirst.map(\.signature) == (1...5).reversed().map(PollScheduleTests.signature))

        var again = Self.paging(cursor: 1)
        _ = try again.take(Self.page([9, 8, 7]))
        Self.expectRefusal("the same page") { () throws(RPCError) in _ = try again.take(Self.page([9, 8, 7])) }

        var sameSlotAgain = Self.paging(cursor: nil)
        let page = [Self.entry(5, slot: 9), Self.entry(4, slot: 9), Self.entry(3, slot: 9)]
        _ = try sameSlotAgain.take(page)
        Self.expectRefusal("the same page in one slot") { () throws(RPCError) in _ = try sameSlotAgain.take(page) }

        var upwards = Self.paging(cursor: 1)
        _ = try upwards.take(Self.page([9, 8, 7]))
        Self.expectRefusal("a newer slot") { () throws(RPCError) in _ = try upwards.take(Self.page([6, 10])) }
    }

    /// A signature listed twice, in one page or across two, is read once, where it came first; a full page with a
    /// copy of the last page's anchor still moves back.
    @Test func aSignatureListedTwiceIsReadOnce() throws {
        var paging = Self.paging(cursor: 1)
        #expect(try paging.take(Self.page([9, 8, 8])) == .page(before: PollScheduleTests.signature(8)))
        #expect(try paging.take(Self.page([8, 7, 6])) == .page(before: PollScheduleTests.signature(6)))
        #expect(try paging.take(Self.page([5, 5, 1])) == .done)
        #expect(paging.newestFirst == Self.page([9, 8, 7, 6, 5]))
    }
}
