import Foundation
import Logging
import SolanaCore
import Synchronization
import Testing

@testable import FlutterbyeIndexer
@testable import SolanaRPC

/// The slot a cursor advances to is the lower of the one the history listing claims and the fetched transaction's:
/// either is the RPC's answer, and an inflated slot (2^62) as the cursor's made every later read stop at its first
/// entry (each is older than the cursor's slot), so the address indexed nothing more while its polls read as quiet.
/// No RPC is asked here.
@Suite struct CursorAdvanceSlotTests {
    @Test func anInflatedListingSlotDoesNotBecomeTheCursors() async throws {
        #expect(try await Self.cursorSlot(listed: 1 << 62, fetched: 42, seed: 61) == 42)
    }

    /// The mirror case: the listing says slot 42 and `getTransaction` answers the same signature at 2^62.
    @Test func anInflatedFetchedSlotDoesNotBecomeTheCursors() async throws {
        #expect(try await Self.cursorSlot(listed: 42, fetched: 1 << 62, seed: 62) == 42)
    }

    /// The cursor's slot after one chunk of one transaction, listed at `listed` and fetched at `fetched`.
    static func cursorSlot(listed: UInt64, fetched: UInt64, seed: UInt8) async throws -> UInt64 {
        let payer = try Keypair(seed: [UInt8](repeating: seed, count: 32))
        let message = try LegacyMessage(
            payer: payer.publicKey, instructions: [MemoProgram.memo("slot")], recentBlockhash: try Blockhash(bytes: [UInt8](repeating: 7, count: 32)))
        let signed = try Transaction(message: .legacy(message), signers: [payer])
        let keys = message.accountKeys.count
        let meta = TransactionStatusMeta(fee: 5_000, preBalances: Array(repeating: 1, count: keys), postBalances: Array(repeating: 1, count: keys))
        let transaction = FetchedTransaction(signature: signed.id, slot: fetched, blockTime: 1_700_000_000, transaction: signed, meta: meta)
        let entry = SignatureInfo(signature: signed.id, slot: listed, error: nil, memo: nil, blockTime: nil, confirmationStatus: .confirmed)

        let address = AddressCursor(address: payer.publicKey, role: .fee)
        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: "http://127.0.0.1:9")], logger: Logger(label: "CursorAdvanceSlotTests"))
        let source = PollingTransactionSource(rpc: rpc, addresses: [address], logger: Logger(label: "CursorAdvanceSlotTests"))
        let delivered = Mutex<[SourceBatch]>([])
        let outcome = try await source.deliverChunk(
            [entry], PollingTransactionSource.PreparedChunk(known: [], claimed: [signed.id], fetched: [signed.id: transaction]), of: address
        ) { batch in delivered.withLock { $0.append(batch) } }
        #expect(outcome == nil)
        let advance = try #require(delivered.withLock { $0.first?.advance })
        #expect(advance.newest.signature == signed.id)
        return advance.newest.slot
    }
}
