import Foundation
import Logging
import SolanaCore
import Synchronization
import Testing

@testable import FlutterbyeIndexer
@testable import SolanaRPC

/// The slot a cursor advances to is the fetched transaction's, not the one the history listing claims: a listing
/// whose slot was inflated (2^62) became the cursor's, and every later read stopped at its first entry (each is older
/// than the cursor's slot), so the address indexed nothing more while its polls read as quiet. The fetched transaction's
/// slot is the RPC's answer as much as the listing's: the cursor takes the lower of the two. No RPC is asked here.
@Suite struct CursorAdvanceSlotTests {
    @Test func theCursorTakesTheFetchedTransactionsSlot() async throws {
        let payer = try Keypair(seed: [UInt8](repeating: 61, count: 32))
        let message = try LegacyMessage(
            payer: payer.publicKey, instructions: [MemoProgram.memo("slot")], recentBlockhash: try Blockhash(bytes: [UInt8](repeating: 7, count: 32)))
        let signed = try Transaction(message: .legacy(message), signers: [payer])
        let keys = message.accountKeys.count
        let meta = TransactionStatusMeta(fee: 5_000, preBalances: Array(repeating: 1, count: keys), postBalances: Array(repeating: 1, count: keys))
        let fetched = FetchedTransaction(signature: signed.id, slot: 42, blockTime: 1_700_000_000, transaction: signed, meta: meta)
        let listed = SignatureInfo(signature: signed.id, slot: 1 << 62, error: nil, memo: nil, blockTime: nil, confirmationStatus: .confirmed)

        let address = AddressCursor(address: payer.publicKey, role: .fee)
        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: "http://127.0.0.1:9")], logger: Logger(label: "CursorAdvanceSlotTests"))
        let source = PollingTransactionSource(rpc: rpc, addresses: [address], logger: Logger(label: "CursorAdvanceSlotTests"))
        let delivered = Mutex<[SourceBatch]>([])
        let outcome = try await source.deliverChunk(
            [listed], PollingTransactionSource.PreparedChunk(known: [], claimed: [signed.id], fetched: [signed.id: fetched]), of: address
        ) { batch in delivered.withLock { $0.append(batch) } }
        #expect(outcome == nil)
        let advance = try #require(delivered.withLock { $0.first?.advance })
        #expect(advance.newest == SignatureCursor(signature: signed.id, slot: 42))
    }

    /// The mirror case: the listing says slot 42 and `getTransaction` answers the same signature at 2^62. Before, the
    /// cursor took 2^62 and the address's later reads all ended at their first entry.
    @Test func anInflatedFetchedSlotDoesNotBecomeTheCursors() async throws {
        let payer = try Keypair(seed: [UInt8](repeating: 62, count: 32))
        let message = try LegacyMessage(
            payer: payer.publicKey, instructions: [MemoProgram.memo("slot")], recentBlockhash: try Blockhash(bytes: [UInt8](repeating: 7, count: 32)))
        let signed = try Transaction(message: .legacy(message), signers: [payer])
        let keys = message.accountKeys.count
        let meta = TransactionStatusMeta(fee: 5_000, preBalances: Array(repeating: 1, count: keys), postBalances: Array(repeating: 1, count: keys))
        let fetched = FetchedTransaction(signature: signed.id, slot: 1 << 62, blockTime: 1_700_000_000, transaction: signed, meta: meta)
        let listed = SignatureInfo(signature: signed.id, slot: 42, error: nil, memo: nil, blockTime: nil, confirmationStatus: .confirmed)

        let address = AddressCursor(address: payer.publicKey, role: .fee)
        let rpc = try SolanaRPCClient(endpoints: [RPCEndpoint(url: "http://127.0.0.1:9")], logger: Logger(label: "CursorAdvanceSlotTests"))
        let source = PollingTransactionSource(rpc: rpc, addresses: [address], logger: Logger(label: "CursorAdvanceSlotTests"))
        let delivered = Mutex<[SourceBatch]>([])
        let outcome = try await source.deliverChunk(
            [listed], PollingTransactionSource.PreparedChunk(known: [], claimed: [signed.id], fetched: [signed.id: fetched]), of: address
        ) { batch in delivered.withLock { $0.append(batch) } }
        #expect(outcome == nil)
        let advance = try #require(delivered.withLock { $0.first?.advance })
        #expect(advance.newest == SignatureCursor(signature: signed.id, slot: 42))
    }
}
