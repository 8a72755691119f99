import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import Testing

/// The index store's statements that get no answer (a lock held on the table here; a statement written to a
/// connection that just closed, in PostgresNIO, is never answered at all) fail as the database being unavailable
/// once the statement timeout passes, reads and writes alike: an indexer waiting on one would never index again, and
/// never stop on SIGTERM.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs PostgreSQL: run Tests/run"), .serialized)
struct IndexStoreTimeoutTests {
    static let logger = Logger(label: "IndexStoreTimeoutTests")

    /// "unavailable" when `work` failed as the database being unavailable, else what happened within 20 s; after 20 s
    /// `giveUp` runs (it lets the work get its answer, so that the race can end).
    static func outcome(giveUp: @escaping @Sendable () -> Void, _ work: @escaping @Sendable () async throws(StoreError) -> Void) async -> String {
        await withTaskGroup(of: String.self) { race in
            race.addTask {
                do throws(StoreError) {
                    try await work()
                    return "answered"
                } catch {
                    return error.code == .databaseUnavailable ? "unavailable" : "failed: \(error)"
                }
            }
            race.addTask {
                try? await Task.sleep(for: .seconds(20))
                return "still waiting after 20 s"
            }
            let first = await race.next() ?? "nothing"
            if first != "unavailable" { giveUp() }
            race.cancelAll()
            return first
        }
    }

    @Test func readsAndWritesThatGetNoAnswerFailAsUnavailableAfterTheTimeout() async throws {
        let cluster = try PostgresTestCluster()
        let client = PostgresClient(configuration: try DatabaseConfiguration(url: cluster.url).clientConfiguration)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await SchemaMigrator.bundled().apply(on: client, logger: Self.logger)
            let store = IndexStore(client: client, logger: Self.logger, statementTimeout: .seconds(1))
            let locked = AsyncStream<Void>.makeStream(), release = AsyncStream<Void>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { holder in
                holder.addTask {
                    try await client.withTransaction(logger: Self.logger) { connection in
                        try await connection.query("LOCK TABLE flutterbye.chain_address_cursors IN ACCESS EXCLUSIVE MODE", logger: Self.logger)
                        locked.continuation.yield()
                        for await _ in release.stream { break }
                    }
                }
                for await _ in locked.stream { break }
                let giveUp: @Sendable () -> Void = { release.continuation.yield() }
                let read = await Self.outcome(giveUp: giveUp) { () async throws(StoreError) in _ = try await store.cursors() }
                let mint = try Keypair(seed: [UInt8](repeating: 77, count: 32)).publicKey
                let write = await Self.outcome(giveUp: giveUp) { () async throws(StoreError) in
                    try await store.follow([AddressCursor(address: mint, role: .mint)])
                }
                release.continuation.yield()
                #expect(read == "unavailable")
                #expect(write == "unavailable")
                try await holder.waitForAll()
            }
        }
    }
}
