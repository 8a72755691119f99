import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import Testing

/// `flby_balances.owner` is the owner after the account's last change. Within its newest slot, whose transactions an
/// index cannot order, the last change is the one whose amount no other change of the slot starts from (as the
/// opening amount is found from the first slot's). The view took the owner of the change with the smallest amount:
/// an account paid into (300 -> 400) and then handed to the escrow with more (400 -> 500, SetAuthority) in one slot
/// was shown as the stranger's, and the escrow's holdings left it out.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"), .serialized)
struct BalanceOwnerTests {
    static let logger = Logger(label: "BalanceOwnerTests")
    static func key(_ byte: UInt8) -> PublicKey { try! Keypair(seed: [UInt8](repeating: byte, count: 32)).publicKey }

    @Test func theOwnerAfterTheNewestSlotsLastChangeOwnsTheAccount() async throws {
        try await Self.withStore { store, client in
            let stranger = Self.key(4)
            let escrow = Self.key(6)
            var seed: UInt8 = 0
            func change(_ account: PublicKey, slot: UInt64, owner: PublicKey, _ pre: UInt64, _ post: UInt64) throws -> IndexedTransaction {
                try Self.change(&seed, account, slot: slot, owner: owner, pre, post)
            }
            // Paid into, then handed to the escrow with more, in one slot; stored in the chain's order and in the other.
            let handed = Self.key(8)
            let handedBack = Self.key(9)
            // Handed to the escrow in slot 41, then emptied into a stranger's hands in slot 42 (500 -> 200, then 200 -> 0).
            let emptied = Self.key(10)
            try await store.write([try change(handed, slot: 42, owner: stranger, 300, 400)], advance: nil)
            try await store.write([try change(handed, slot: 42, owner: escrow, 400, 500)], advance: nil)
            try await store.write([try change(handedBack, slot: 42, owner: escrow, 400, 500)], advance: nil)
            try await store.write([try change(handedBack, slot: 42, owner: stranger, 300, 400)], advance: nil)
            try await store.write(
                [
                    try change(emptied, slot: 41, owner: escrow, 0, 500), try change(emptied, slot: 42, owner: stranger, 200, 0),
                    try change(emptied, slot: 42, owner: escrow, 500, 200),
                ], advance: nil)

            let rows = try await Self.balances(client)
            #expect(rows[handed.base58]?.amount == "500")
            #expect(rows[handed.base58]?.owner == escrow.base58, "the escrow owns it after the slot")
            #expect(rows[handedBack.base58]?.owner == escrow.base58, "whatever order the changes were stored in")
            #expect(rows[emptied.base58]?.amount == "0")
            #expect(rows[emptied.base58]?.owner == stranger.base58, "the emptying change is the slot's last")
        }
    }

    /// A stranger's account paid into (300 -> 400) and, in the same slot, handed to the escrow by a SetAuthority
    /// (AccountOwner) that moves no FLBY (400 -> 400): both changes end at 400, and the view took either by storage
    /// order. The chain: the escrow owns the 400 (`HandOverOwnerTests`).
    @Test func anAccountHandedToTheEscrowWithoutAnAmountChangeInTheSlotOfAPaymentIsTheEscrows() async throws {
        try await Self.withStore { store, client in
            let stranger = Self.key(4)
            let escrow = Self.key(6)
            var seed: UInt8 = 100
            func change(_ account: PublicKey, slot: UInt64, owner: PublicKey, _ pre: UInt64, _ post: UInt64) throws -> IndexedTransaction {
                try Self.change(&seed, account, slot: slot, owner: owner, pre, post)
            }
            // Stored in the chain's order (the payment, then the hand-over) and in the other.
            let inOrder = Self.key(30)
            let reversed = Self.key(31)
            try await store.write([try change(inOrder, slot: 40, owner: stranger, 0, 300)], advance: nil)
            try await store.write([try change(inOrder, slot: 42, owner: stranger, 300, 400)], advance: nil)
            try await store.write([try change(inOrder, slot: 42, owner: escrow, 400, 400)], advance: nil)
            try await store.write([try change(reversed, slot: 40, owner: stranger, 0, 300)], advance: nil)
            try await store.write([try change(reversed, slot: 42, owner: escrow, 400, 400)], advance: nil)
            try await store.write([try change(reversed, slot: 42, owner: stranger, 300, 400)], advance: nil)

            let rows = try await Self.balances(client)
            #expect(rows[inOrder.base58]?.amount == "400")
            #expect(rows[reversed.base58]?.amount == "400")
            #expect(
                rows[inOrder.base58]?.owner == escrow.base58,
                "stored in the chain's order: the escrow owns the account after the slot; the view names \(rows[inOrder.base58]?.owner ?? "-")")
            #expect(
                rows[reversed.base58]?.owner == escrow.base58,
                "stored in the other order: the escrow owns the account after the slot; the view names \(rows[reversed.base58]?.owner ?? "-")")
        }
    }

    /// A stored transaction (its signature all `seed`, counted up first) changing `account`'s FLBY from `pre` to `post`
    /// in `slot`, `owner` the account's owner then.
    static func change(
        _ seed: inout UInt8, _ account: PublicKey, slot: UInt64, owner: PublicKey, _ pre: UInt64, _ post: UInt64
    ) throws -> IndexedTransaction {
        seed += 1
        return IndexedTransaction(
            signature: try Signature(bytes: [UInt8](repeating: seed, count: 64)), slot: slot, blockTime: nil, fee: 5_000, error: nil,
            memo: nil, movements: [], walletActivity: [],
            flbyBalances: [FlbyAccountBalance(account: account, owner: owner, amount: post, preAmount: pre)], programLogs: [],
            namesWatchedAddress: true)
    }

    /// `flby_balances`, by token account.
    static func balances(_ client: PostgresClient) async throws -> [String: (owner: String, amount: String)] {
        var rows: [String: (owner: String, amount: String)] = [:]
        for try await (account, owner, amount) in try await client.query(
            "SELECT token_account, owner, amount::text FROM flutterbye.flby_balances", logger: logger
        ).decode((String, String, String).self) {
            rows[account] = (owner, amount)
        }
        return rows
    }

    /// An index store on a migrated database of this suite's own, emptied.
    static func withStore(_ body: (IndexStore, PostgresClient) async throws -> Void) async throws {
        try await TestDatabase.withMigratedDatabase(
            "flutterbye_balance_owner", truncating: "flutterbye.chain_transactions, flutterbye.chain_address_cursors CASCADE"
        ) { client, _ in
            try await body(IndexStore(client: client, logger: logger), client)
        }
    }
}
