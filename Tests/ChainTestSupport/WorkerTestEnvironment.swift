import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
public import Logging
public import PostgresNIO
public import SolanaCore
public import SolanaRPC

/// What the worker tests run against: a PostgreSQL database of their own on the test cluster (migrated, job table
/// empty) and a fresh local chain with a funded payer.
public enum WorkerTestEnvironment {
    public static let logger = Logger(label: "WorkerTests")

    /// Whether these tests run: the Python venv and the test database are there, or we are in CI (where their
    /// absence must fail, not skip).
    public static var isAvailable: Bool {
        LocalChainServer.isAvailable && TestDatabase.testsEnabled
    }

    /// Runs `body` with a running client on database `name` (created if missing, migrated, jobs truncated), a local
    /// chain and an RPC client to it; `fund` gets an airdrop first. With `credentials`, the chain asks for them (its
    /// `url` carries them).
    public static func with(
        database name: String, fund: PublicKey?, credentials: LocalChainServer.Credentials? = nil, slotMs: Int = 40,
        _ body: @Sendable (PostgresClient, SolanaRPCClient, LocalChainServer) async throws -> Void
    ) async throws {
        // A database per suite: suites run in parallel and each truncates its job table.
        let database = try await TestDatabase.ownDatabase(name)
        let server = try await LocalChainServer.start(slotMs: slotMs, confirmDepth: 1, finalizeDepth: 4, credentials: credentials)
        let rpc = try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(5),
            retry: RPCRetryPolicy(maxAttempts: 6, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(200)), logger: logger)
        try await TestDatabase.withClient(database) { client in
            try await SchemaMigrator.bundled().apply(on: client, logger: logger)
            try await client.query("TRUNCATE flutterbye.token_jobs", logger: logger)
            // Each test brings its own master seed.
            try await client.query("DELETE FROM flutterbye.key_fingerprints", logger: logger)
            if let fund {
                _ = try await rpc.call("requestAirdrop", [.string(fund.base58), .uint(500_000_000_000)], as: String.self)
            }
            try await body(client, rpc, server)
        }
    }
}
