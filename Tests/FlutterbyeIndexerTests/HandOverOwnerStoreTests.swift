import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import Testing

/// `flby_balances.owner` within the account's newest slot. A stranger's account is paid into (300 -> 400)
/// and, in the same slot, handed to the escrow by a SetAuthority (AccountOwner) that moves no FLBY (400 -> 400). The
/// chain: the escrow owns the 400. The doc's rule (the change whose post amount no *other* change of the slot starts
/// from) names the SetAuthority uniquely: the payment's 400 is where the SetAuthority starts, the SetAuthority's 400
/// is where no other change starts. The view's `post_amount IN (posts EXCEPT ALL pres)` compares values, so both
/// changes (both end at 400) qualify and `ORDER BY post_amount LIMIT 1` picks one of the tie by storage order.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs PostgreSQL: run Tests/run"), .serialized)
struct HandOverOwnerStoreTests {
    static let logger = Logger(label: "HandOverOwnerStoreTests")
    static func key(_ byte: UInt8) -> PublicKey { try! Keypair(seed: [UInt8](repeating: byte, count: 32)).publicKey }

    @Test func anAccountHandedToTheEscrowWithoutAnAmountChangeInTheSlotOfAPaymentIsTheEscrows() async throws {
        try await TestDatabase.withMigratedDatabase(
            "flutterbye_owner_tie", truncating: "flutterbye.chain_transactions, flutterbye.chain_address_cursors CASCADE"
        ) { client, _ in
            let store = IndexStore(client: client, logger: Self.logger)
            let stranger = Self.key(4)
            let escrow = Self.key(6)
            var seed: UInt8 = 100
            func change(_ account: PublicKey, slot: UInt64, owner: PublicKey, _ pre: UInt64, _ post: UInt64) throws -> IndexedTransaction {
                seed += 1
                return IndexedTransaction(
                    signature: try Signature(bytes: [UInt8](repeating: seed, count: 64)), slot: slot, blockTime: nil, fee: 5_000,
                    error: nil, memo: nil, movements: [], walletActivity: [],
                    flbyBalances: [FlbyAccountBalance(account: account, owner: owner, amount: post, preAmount: pre)], programLogs: [],
                    namesWatchedAddress: true)
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

            var rows: [String: (owner: String, amount: String)] = [:]
            for try await (account, owner, amount) in try await client.query(
                "SELECT token_account, owner, amount::text FROM flutterbye.flby_balances", logger: Self.logger
            ).decode((String, String, String).self) {
                rows[account] = (owner, amount)
            }
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
}
