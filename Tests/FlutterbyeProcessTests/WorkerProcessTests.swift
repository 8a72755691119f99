import ChainTestSupport
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// `flutterbye worker` processes against one database: two of them drain 500 jobs without running any job twice,
/// and a worker whose PostgreSQL server is restarted under it reconnects and carries on.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct WorkerProcessTests {
    static let logger = Logger(label: "WorkerProcessTests")
    static let masterSeedHex = String(repeating: "6d", count: 32)
    let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 0x6d, count: 32))
    let payer = try! Keypair(seed: [UInt8](repeating: 81, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 82, count: 32)).publicKey

    func request(_ key: String, amount: Int) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: amount % 2 == 0 ? "token" : "token-2022", decimals: 2, name: key, symbol: "WP",
            uri: "https://x/\(key)", amount: "\(amount)", recipient: recipient.base58)
    }

    /// Polls until `jobCount` jobs are confirmed or finalized, for at most `seconds`; returns the last counts.
    func waitUntilDone(_ queue: TokenJobQueue, jobCount: Int, seconds: Int) async throws -> [TokenJobState: Int] {
        var counts: [TokenJobState: Int] = [:]
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            counts = try await queue.countsByState()
            if (counts[.confirmed] ?? 0) + (counts[.finalized] ?? 0) == jobCount { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return counts
    }

    /// Each job landed exactly once on chain, as the transaction the job stored, minting its amount.
    func expectLandedOnce(_ queue: TokenJobQueue, _ rpc: SolanaRPCClient, key: String, amount: Int) async throws -> TokenJob {
        let job = try #require(try await queue.job(idempotencyKey: key))
        let mint = derivation.keypair(forJobKey: key).publicKey
        let landed = try await rpc.signaturesForAddress(mint, commitment: .confirmed).filter { $0.error == nil || $0.error == .null }
        #expect(landed.count == 1, "\(key): \(landed.count) successful transactions")
        #expect(job.signature == landed.first?.signature.base58, "\(key): the stored signature is the one that landed")
        let account = try #require(try await rpc.accountInfo(mint, commitment: .confirmed), "mint of \(key)")
        #expect(try TokenMintState(data: account.data).supply == UInt64(amount))
        return job
    }

    @Test func twoWorkerProcessesDrainFiveHundredJobsAndRunNoneTwice() async throws {
        let jobCount = 500
        let payer = self.payer
        try await WorkerTestEnvironment.with(database: "flutterbye_two_workers_test", fund: payer.publicKey) { client, rpc, server in
            _ = try await server.control(["drop_rate": 0.1, "reset_counters": true])
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            for i in 0..<jobCount { _ = try await queue.enqueue(request("two-\(i)", amount: 10 + i)) }
            let launcher = try WorkerProcessLauncher(
                databaseURL: try WorkerProcessLauncher.testDatabaseURL("flutterbye_two_workers_test"), rpcURL: server.url, payer: payer,
                masterSeedHex: Self.masterSeedHex, settings: ["FLUTTERBYE_MAX_IN_FLIGHT": "128", "FLUTTERBYE_JOB_LEASE_SECONDS": "30"])
            let first = try launcher.start("worker-1")
            defer { first.kill9() }
            let second = try launcher.start("worker-2")
            defer { second.kill9() }
            let workers = [first, second]

            let counts = try await waitUntilDone(queue, jobCount: jobCount, seconds: 300)
            #expect((counts[.confirmed] ?? 0) + (counts[.finalized] ?? 0) == jobCount, "\(counts)\n\(workers[0].tail())\n\(workers[1].tail())")
            for worker in workers { #expect(await worker.stopGracefully(), "graceful stop on SIGTERM:\n\(worker.tail())") }

            var byWorker: [String: Int] = [:]
            for i in 0..<jobCount {
                let job = try await expectLandedOnce(queue, rpc, key: "two-\(i)", amount: 10 + i)
                #expect(job.attempt == 1, "two-\(i) was claimed \(job.attempt) times")
                let errors = job.errors.map { "\($0.errorClass): \($0.message)" }
                #expect(errors.isEmpty, "two-\(i): \(errors)")
                byWorker[job.attemptedBy ?? "nobody", default: 0] += 1
            }
            #expect(Set(byWorker.keys) == ["worker-1", "worker-2"], "both workers took jobs: \(byWorker)")
            // Every transaction the chain executed is one job's creation: no job ran twice, not even into a failure.
            let transactions = try #require((try await server.controlState()["counters"] as? [String: Any])?["transactions"] as? [String: Any])
            let succeeded = (transactions["succeeded"] as? NSNumber)?.intValue
            let failed = (transactions["failed"] as? NSNumber)?.intValue
            let summary = "\(transactions)"
            #expect(succeeded == jobCount, "\(summary)")
            #expect(failed == 0, "\(summary)")
        }
    }

    @Test func aWorkerReconnectsAfterPostgreSQLRestartsAndCarriesOn() async throws {
        let before = 60
        let after = 20
        let cluster = try await PostgresTestCluster.start()
        let database = try DatabaseConfiguration(url: cluster.url)
        let server = try await LocalChainServer.start(slotMs: 40, confirmDepth: 1, finalizeDepth: 4)
        let rpc = try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(5),
            retry: RPCRetryPolicy(maxAttempts: 6, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(200)), logger: Self.logger)
        _ = try await rpc.call("requestAirdrop", [.string(payer.publicKey.base58), .uint(500_000_000_000)], as: String.self)
        let launcher = try WorkerProcessLauncher(
            databaseURL: cluster.url, rpcURL: server.url, payer: payer, masterSeedHex: Self.masterSeedHex,
            settings: ["FLUTTERBYE_MAX_IN_FLIGHT": "16", "FLUTTERBYE_JOB_LEASE_SECONDS": "5"])

        try await TestDatabase.withClient(database) { client in
            try await SchemaMigrator.bundled().apply(on: client, logger: Self.logger)
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            // A first quarter is done before the outage; the rest is in flight or waiting when it comes. The chain is
            // paused first, so no job can confirm between the test's look at the queue and the halt.
            let first = before / 4
            for i in 0..<first { _ = try await queue.enqueue(request("restart-\(i)", amount: 100 + i)) }
            let worker = try launcher.start("restart-worker")
            defer { worker.kill9() }
            let firstCounts = try await waitUntilDone(queue, jobCount: first, seconds: 120)
            #expect((firstCounts[.confirmed] ?? 0) + (firstCounts[.finalized] ?? 0) == first, "\(firstCounts)\n\(worker.tail())")
            _ = try await server.control(["paused": true])
            for i in first..<before { _ = try await queue.enqueue(request("restart-\(i)", amount: 100 + i)) }
            var inFlight = 0
            for _ in 0..<600 where inFlight == 0 {
                inFlight = try await queue.countsByState()[.submitted] ?? 0
                if inFlight == 0 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(inFlight > 0, "jobs are in flight when the database goes away:\n\(worker.tail())")
            try await cluster.halt()
            try await Task.sleep(for: .seconds(1))
            _ = try await server.control(["paused": false])  // the chain moves on while the database is away
            try await Task.sleep(for: .seconds(2))
            #expect(worker.process.isRunning, "the worker outlives its database:\n\(worker.tail())")
            let outage = worker.tail(10_000)
            #expect(outage.contains("psql_error"), "the worker's connections failed during the outage:\n\(worker.tail())")
            try await cluster.resume()

            // Jobs enqueued after the restart are picked up too.
            for i in before..<(before + after) {
                var enqueued = false
                for _ in 0..<50 where !enqueued {
                    do {
                        _ = try await queue.enqueue(request("restart-\(i)", amount: 100 + i))
                        enqueued = true
                    } catch {
                        try await Task.sleep(for: .milliseconds(100))  // our own pool may still be reconnecting
                    }
                }
                try #require(enqueued, "enqueue after the restart")
            }
            let counts = try await waitUntilDone(queue, jobCount: before + after, seconds: 120)
            #expect((counts[.confirmed] ?? 0) + (counts[.finalized] ?? 0) == before + after, "\(counts)\n\(worker.tail())")
            #expect(await worker.stopGracefully(), "graceful stop on SIGTERM:\n\(worker.tail())")
            for i in 0..<(before + after) { _ = try await expectLandedOnce(queue, rpc, key: "restart-\(i)", amount: 100 + i) }
        }
    }
}
