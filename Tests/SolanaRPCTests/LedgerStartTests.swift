import SolanaRPC
import Testing

/// Where a node's ledger starts, from its first available block and the first block it lists: a 0 is believed only
/// when the node lists block 0 (a node just started from a snapshot answers 0 and lists its snapshot's block).
struct LedgerStartSlotTests {
    @Test func aZeroIsBelievedOnlyWhenTheNodeListsBlockZero() {
        #expect(LedgerStart.slot(firstAvailable: 0, listed: [0]) == 0, "a node that keeps the whole history")
        #expect(LedgerStart.slot(firstAvailable: 0, listed: [900]) == 900, "a node just started from a snapshot at 900")
        #expect(LedgerStart.slot(firstAvailable: 0, listed: nil) == nil, "the listing refused: not known")
        #expect(LedgerStart.slot(firstAvailable: 0, listed: []) == nil, "nothing listed: not known")
        #expect(LedgerStart.slot(firstAvailable: nil, listed: nil) == nil)
    }

    @Test func aPrunedLedgerStartsAtTheLaterOfTheTwo() {
        #expect(LedgerStart.slot(firstAvailable: 500, listed: [500]) == 500)
        #expect(LedgerStart.slot(firstAvailable: 500, listed: [499]) == 500, "the first root, whose block is incomplete")
        #expect(LedgerStart.slot(firstAvailable: 500, listed: nil) == 500, "a node that does not list blocks")
        #expect(LedgerStart.slot(firstAvailable: 500, listed: []) == 500)
        #expect(LedgerStart.slot(firstAvailable: nil, listed: [700]) == 700)
        #expect(LedgerStart.slot(firstAvailable: 500, listed: [800, 600]) == 800, "more than the one block asked: the latest counts")
    }
}
