import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// The worker service: two workers drain a queue through dropped sends and 429s, confirmed jobs are finalized,
/// and a graceful shutdown releases running jobs with their transactions stored.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct TokenWorkerServiceTests {
    static let logger = Logger(label: "TokenWorkerServiceTests")
    let payer = try! Keypair(seed: [UInt8](repeating: 61, count: 32))
    let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 62, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 63, count: 32)).publicKey

    func withEnvironment(_ body: @Sendable (PostgresClient, SolanaRPCClient, LocalChainServer) async throws -> Void) async throws {
        try await WorkerTestEnvironment.with(database: "flutterbye_service_test", fund: payer.publicKey, body)
    }

    func service(_ client: PostgresClient, _ rpc: SolanaRPCClient, worker: String, deadline: Duration = .seconds(10)) -> TokenWorkerService {
        TokenWorkerService(
            client: client, rpc: rpc,
            sender: SenderConfiguration(
                payer: payer, mintDerivation: derivation, policy: SenderPolicy(initialBackoff: .milliseconds(50), maxBackoff: .milliseconds(200)),
                rebroadcastInterval: .milliseconds(150), statusPollInterval: .milliseconds(40)),
            workerID: worker,
            options: .init(concurrency: 6, lease: .seconds(30), pollInterval: .milliseconds(200), maintenanceInterval: .milliseconds(200),
                           shutdownDeadline: deadline),
            logger: Self.logger)
    }

    func request(_ key: String) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token", decimals: 0, name: key, symbol: "SVC", uri: "https://x/\(key)", amount: "7",
            recipient: recipient.base58)
    }

    @Test func twoWorkersDrainTheQueueAndFinalizeEachJobOnce() async throws {
        try await withEnvironment { client, rpc, server in
            _ = try await server.control(["drop_rate": 0.2, "rate_429": 0.05])
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            for i in 0..<30 { _ = try await queue.enqueue(request("svc-\(i)")) }
            let group = ServiceGroup(
                services: [service(client, rpc, worker: "a"), service(client, rpc, worker: "b")], gracefulShutdownSignals: [],
                logger: Self.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                // Jobs enqueued while the workers run are picked up too (LISTEN/NOTIFY or the poll).
                for i in 30..<40 { _ = try await queue.enqueue(request("svc-\(i)")) }
                var counts: [TokenJobState: Int] = [:]
                for _ in 0..<600 {
                    counts = try await queue.countsByState()
                    if counts[.finalized] == 40 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(counts == [.finalized: 40], "\(counts)")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            var workers: Set<String> = []
            for i in 0..<40 {
                let job = try #require(try await queue.job(idempotencyKey: "svc-\(i)"))
                if let worker = job.attemptedBy { workers.insert(worker) }
                let mint = derivation.keypair(forJobKey: "svc-\(i)").publicKey
                let history = try await rpc.signaturesForAddress(mint, commitment: .confirmed)
                #expect(history.filter { $0.error == nil || $0.error == .null }.count == 1, "svc-\(i) landed once")
                #expect(history.first { $0.error == nil || $0.error == .null }?.signature.base58 == job.signature)
            }
            #expect(workers == ["a", "b"], "both workers took jobs")
        }
    }

    @Test func gracefulShutdownReleasesRunningJobsWithTheirTransactionsStored() async throws {
        try await withEnvironment { client, rpc, server in
            _ = try await server.control(["drop_rate": 1.0])  // nothing lands: every job stays in flight
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            for i in 0..<4 { _ = try await queue.enqueue(request("stop-\(i)")) }
            let group = ServiceGroup(services: [service(client, rpc, worker: "s")], gracefulShutdownSignals: [], logger: Self.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for _ in 0..<300 {
                    if try await queue.countsByState()[.submitted] == 4 { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(try await queue.countsByState() == [.submitted: 4])
                let start = ContinuousClock.now
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                #expect(ContinuousClock.now - start < .seconds(8), "stopped well before the deadline")
            }
            for i in 0..<4 {
                let job = try #require(try await queue.job(idempotencyKey: "stop-\(i)"))
                #expect(job.state == .retryable, "released for the next worker, which checks the stored transaction first")
                #expect(job.leaseExpiresAt == nil)
                #expect(job.signature != nil && job.rawTransaction != nil)
                #expect(job.errors.isEmpty, "a shutdown is not a failure")
            }
        }
    }
}
