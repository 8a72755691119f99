import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import Testing

/// The index store's statements that get no answer (a lock held on the table here; a statement written to a
/// connection that just closed, in PostgresNIO, is never answered at all) fail as the database being unavailable
/// once the statement timeout passes, reads and writes alike: an indexer waiting on one would never index again, and
/// never stop on SIGTERM.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs PostgreSQL: run Tests/run"), .serialized)
struct IndexStoreTimeoutTests {
    static let logger = Logger(label: "IndexStoreTimeoutTests")

    @Test func readsAndWritesThatGetNoAnswerFailAsUnavailableAfterTheTimeout() async throws {
        let cluster = try await PostgresTestCluster.start()
        try await TestDatabase.withClient(try DatabaseConfiguration(url: cluster.url)) { client in
            try await SchemaMigrator.bundled().apply(on: client, logger: Self.logger)
            let store = IndexStore(client: client, logger: Self.logger, statementTimeout: .seconds(1))
            let mint = try Keypair(seed: [UInt8](repeating: 77, count: 32)).publicKey
            let (read, write) = try await TableLock.hold("flutterbye.chain_address_cursors", on: client, logger: Self.logger) { lock in
                let read = await lock.outcome { _ = try await store.cursors() }
                let write = await lock.outcome { try await store.follow([AddressCursor(address: mint, role: .mint)]) }
                return (read, write)
            }
            #expect(read == .unavailable)
            #expect(write == .unavailable)
        }
    }
}
