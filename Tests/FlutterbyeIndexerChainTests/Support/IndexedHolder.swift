import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// The FLBY mint and one holder's associated account with `minted` FLBY in it, indexed by a first indexer until it
/// caught up and stopped: where the finality, rewind and pruned-ledger tests start.
struct IndexedHolder {
    static let logger = Logger(label: "IndexedHolder")
    let flby: FlbyActivity
    let holder: PublicKey
    let watched: WatchedAddresses
    let store: IndexStore

    static func make(_ client: PostgresClient, _ rpc: SolanaRPCClient, minted: UInt64 = 1_000) async throws -> IndexedHolder {
        let flby = try await FlbyActivity.create(rpc)
        let holder = Keypair.generate().publicKey
        _ = try await flby.open(for: holder)
        if minted > 0 { _ = try await flby.mint(minted, to: holder) }
        let indexed = IndexedHolder(
            flby: flby, holder: holder, watched: WatchedAddresses(flbyMint: flby.mint.publicKey), store: IndexStore(client: client, logger: logger))
        let indexer = indexed.indexer(rpc)
        try await IndexerAcceptanceTests.running(indexer) {
            try await IndexerAcceptanceTests.withTimeout(.seconds(60), "the indexer catching up") { await indexer.caughtUp() }
        }
        return indexed
    }

    /// A new indexer process on the same database: it starts from the cursors stored.
    func indexer(_ rpc: SolanaRPCClient) -> Indexer<PollingTransactionSource> {
        Indexer(store: store, rpc: rpc, watched: watched, options: IndexerAcceptanceTests.options, logger: Self.logger)
    }

    /// While no indexer runs: a chain transaction minting 700 to the holder, and a dead fork's one slot later (minting 5)
    /// that the index took, the cursors of the mint and the holder's account moved to it; the chain finalizes past both.
    func deadForkAfterMint(_ rpc: SolanaRPCClient, _ server: LocalChainServer) async throws -> (canonical: Signature, ghost: Signature) {
        let canonical = try await flby.mint(700, to: holder)
        let canonicalSlot = try await flby.slot(of: canonical)
        let ghost = try Signature(bytes: (0..<64).map { _ in UInt8.random(in: 0...255) })
        let account = try flby.account(of: holder)
        let ghostTransaction = IndexedTransaction.storedMint(
            ghost, slot: canonicalSlot + 1, account: account, holder: holder, amount: 5, preAmount: 1_700, postAmount: 1_705)
        let cursor = SignatureCursor(signature: ghost, slot: canonicalSlot + 1)
        try await store.write([ghostTransaction], advance: CursorAdvance(address: flby.mint.publicKey, role: .mint, newest: cursor, signatures: 1))
        try await store.write([], advance: CursorAdvance(address: account, role: .flbyAccount, newest: cursor, signatures: 1))
        try await IndexerFinalityTests.finalize(past: canonicalSlot + 30, rpc, server)
        return (canonical, ghost)
    }

    /// Expects the index to hold `supply` FLBY and `reconcile` to find no difference with the chain.
    func expectReconciled(
        supply: String, _ client: PostgresClient, _ rpc: SolanaRPCClient, sourceLocation: SourceLocation = #_sourceLocation
    )
        async throws
    {
        #expect(try await IndexerFinalityTests.supply(client) == supply, sourceLocation: sourceLocation)
        let report = try await Reconciliation(store: store, rpc: rpc, watched: watched).run()
        #expect(report.differences.isEmpty, "\(report.differences)", sourceLocation: sourceLocation)
    }
}
