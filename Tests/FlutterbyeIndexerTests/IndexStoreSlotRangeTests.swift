import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import Testing

/// Slots past what PostgreSQL's bigint holds: the RPC may answer any u64 (its wire type), and no Solana slot comes
/// near 2^63. Such a slot is refused when written, and a negative slot in the table (written by hand, or by a version
/// that stored any u64 as its bit pattern) is read without a trap: one trapped the indexer at every start and the
/// API's status page and gauges, which `flutterbye run` serves beside the worker.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs PostgreSQL: run Tests/run"), .serialized)
struct IndexStoreSlotRangeTests {
    static let logger = Logger(label: "IndexStoreSlotRangeTests")
    static let mint = "CRqft4ezes93aTpGML4G1REU3aXHKkMzuPp4ZLBWCFev"

    func withStore(_ body: (IndexStore, PostgresClient) async throws -> Void) async throws {
        try await TestDatabase.withMigratedDatabase(
            "flutterbye_slot_range", truncating: "flutterbye.chain_transactions, flutterbye.chain_address_cursors CASCADE"
        ) { client, _ in
            try await body(IndexStore(client: client, logger: Self.logger), client)
        }
    }

    @Test func aSlotPastBigintIsRefusedAndNothingIsWritten() async throws {
        try await withStore { store, client in
            let mint = try PublicKey(base58: Self.mint)
            try await store.follow([AddressCursor(address: mint, role: .mint)])
            let signature = try Signature(bytes: [UInt8](repeating: 9, count: 64))
            for slot in [UInt64(Int64.max) + 1, .max] {
                await #expect(throws: StoreError.self) {
                    try await store.write(
                        [],
                        advance: CursorAdvance(address: mint, role: .mint, newest: SignatureCursor(signature: signature, slot: slot), signatures: 1))
                }
            }
            let cursors = try await store.cursors()
            #expect(cursors.count == 1 && cursors.first?.cursor == nil, "\(cursors)")
            #expect(try await TestDatabase.count("SELECT count(*)::int8 FROM flutterbye.chain_transactions", on: client) == 0)
        }
    }

    @Test func aNegativeSlotInTheTableReadsWithoutATrap() async throws {
        try await withStore { store, client in
            try await client.query(
                """
                INSERT INTO flutterbye.chain_address_cursors (address, role, newest_signature, newest_slot, signatures_seen)
                VALUES ('\(unescaped: Self.mint)', 'mint', '\(unescaped: try Signature(bytes: [UInt8](repeating: 9, count: 64)).base58)', -1, 1)
                """, logger: Self.logger)
            try await client.query(
                "INSERT INTO flutterbye.chain_transactions (signature, slot, fee, finalized, dropped) VALUES ('sig-negative', -5, 5000, false, false)",
                logger: Self.logger)
            let cursors = try await store.cursors()
            #expect(cursors.first?.cursor?.slot == 0, "read back to its signature again: \(cursors)")
            let status = try await store.status()
            #expect(status.addresses.first?.newestSlot == 0)
            #expect(status.newestIndexedSlot == 0)
        }
    }
}
