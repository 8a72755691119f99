import ChainTestSupport
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import Testing

/// SIGTERM is a graceful stop at any point of a long-running command's life, not only once its services run: a worker
/// still starting (here, waiting for the schema migration lock another process holds) stops at once with status 0 and
/// leaves nothing half applied.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct StopWhileStartingTests {
    static let logger = Logger(label: "StopWhileStartingTests")
    static let databaseName = "flutterbye_stop_while_starting"

    @Test func aWorkerSignalledWhileItWaitsForTheSchemaLockStopsWithStatusZeroAndAppliesNothing() async throws {
        let database = try await TestDatabase.freshDatabase(Self.databaseName)
        let chain = try await LocalChainServer.start(slotMs: 40, confirmDepth: 1, finalizeDepth: 4)
        let launcher = try WorkerProcessLauncher(
            databaseURL: try WorkerProcessLauncher.testDatabaseURL(Self.databaseName), rpcURL: chain.url,
            payer: try Keypair(seed: [UInt8](repeating: 61, count: 32)), masterSeedHex: String(repeating: "3c", count: 32))

        try await TestDatabase.withClient(database) { client in
            try await client.withConnection { holder in
                // Another process is migrating: the worker's start waits for this lock.
                try await holder.query("SELECT pg_advisory_lock(\(SchemaMigrator.advisoryLockKey))", logger: Self.logger)
                let worker = try launcher.start("stopped-while-starting")
                defer { worker.kill9() }
                var waiting = false
                for _ in 0..<600 where !waiting && worker.process.isRunning {
                    try await Task.sleep(for: .milliseconds(100))
                    waiting = worker.tail().contains("waiting for the schema migration lock")
                }
                try #require(waiting, "the worker says it waits for the migration lock:\n\(worker.tail())")

                let signalled = ContinuousClock.now
                #expect(await worker.stopGracefully(within: 20), "graceful stop on SIGTERM while starting:\n\(worker.tail())")
                #expect(ContinuousClock.now - signalled < .seconds(10), "it stops at once, not when the lock is free")
                #expect(worker.tail().contains("stopped before its services started"), "it says why it stopped:\n\(worker.tail())")
                try await holder.query("SELECT pg_advisory_unlock(\(SchemaMigrator.advisoryLockKey))", logger: Self.logger)
            }
            let applied = try await TestDatabase.count(
                "SELECT count(*)::int8 FROM pg_namespace WHERE nspname = 'flutterbye'", on: client)
            #expect(applied == 0, "the interrupted migration left nothing behind")
        }
    }
}
