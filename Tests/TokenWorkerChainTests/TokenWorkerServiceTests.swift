import ChainTestSupport
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// The worker service: two workers drain 200 jobs through dropped sends and 429s, confirmed jobs are finalized,
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
            sender: ChainTestWorker.sender(payer: payer, derivation: derivation),
            workerID: worker,
            options: .init(
                maxInFlight: 64, lease: .seconds(30), pollInterval: .milliseconds(200), maintenanceInterval: .milliseconds(200),
                shutdownDeadline: deadline),
            logger: Self.logger)
    }

    func request(_ key: String, program: String = "token", amount: UInt64 = 7) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: program, decimals: 0, name: key, symbol: "SVC", uri: "https://x/\(key)", amount: "\(amount)",
            recipient: recipient.base58, memo: "job \(key)")
    }

    static func program(_ i: Int) -> TokenProgram { i % 2 == 0 ? .token : .token2022 }
    static func amount(_ i: Int) -> UInt64 { 1_000 + UInt64(i) * 7 }

    /// The acceptance run: 200 jobs, 30% of sends dropped, 10% of requests answered 429, 10% of sends landing but
    /// answered with an error, 20% of sends landing 5 slots late, two workers. Every job reaches confirmed (then
    /// finalized), and on chain there is exactly one mint per job, the job's stored transaction, with the job's amount
    /// in the recipient's associated token account.
    @Test func twoHundredJobsLandOnceThroughDroppedSends429sErrorAnswersAndLateLandings() async throws {
        let jobCount = 200
        try await withEnvironment { client, rpc, server in
            _ = try await server.control(["drop_rate": 0.3, "rate_429": 0.1, "send_error_rate": 0.1, "late_rate": 0.2, "late_slots": 5])
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            for i in 0..<150 {
                _ = try await queue.enqueue(request("svc-\(i)", program: Self.program(i) == .token ? "token" : "token-2022", amount: Self.amount(i)))
            }
            let group = ServiceGroup(
                services: [service(client, rpc, worker: "a"), service(client, rpc, worker: "b")], gracefulShutdownSignals: [],
                logger: Self.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                // Jobs enqueued while the workers run are picked up too (LISTEN/NOTIFY or the poll).
                for i in 150..<jobCount {
                    _ = try await queue.enqueue(
                        request("svc-\(i)", program: Self.program(i) == .token ? "token" : "token-2022", amount: Self.amount(i)))
                }
                var counts: [TokenJobState: Int] = [:]
                for _ in 0..<1800 {
                    counts = try await queue.countsByState()
                    if counts[.finalized] == jobCount { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(counts == [.finalized: jobCount], "\(counts)")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let counters = try #require(try await server.controlState()["counters"] as? [String: Any])
            func counter(_ group: String, _ name: String) -> Int { ((counters[group] as? [String: Any])?[name] as? NSNumber)?.intValue ?? 0 }
            #expect(counter("transactions", "dropped") > 0, "sends were dropped: \(counters)")
            #expect(counter("faults", "http_429") > 0, "requests were answered 429: \(counters)")
            #expect(counter("transactions", "landed_with_error_answer") > 0, "sends landed but were answered with an error: \(counters)")
            #expect(counter("transactions", "landed_late") > 0, "sends landed late: \(counters)")

            var workers: Set<String> = []
            for i in 0..<jobCount {
                let job = try #require(try await queue.job(idempotencyKey: "svc-\(i)"))
                if let worker = job.attemptedBy { workers.insert(worker) }
                let mint = derivation.keypair(forJobKey: "svc-\(i)").publicKey
                #expect(job.mintAddress == mint.base58)
                let history = try await rpc.signaturesForAddress(mint, commitment: .confirmed)
                let landed = history.filter { $0.error == nil || $0.error == .null }
                #expect(landed.count == 1, "svc-\(i) landed \(landed.count) times")
                #expect(landed.first?.signature.base58 == job.signature, "svc-\(i): the stored transaction is the one that landed")
                let account = try #require(try await rpc.accountInfo(mint, commitment: .confirmed), "mint of svc-\(i)")
                #expect(account.owner == Self.program(i).programID)
                #expect(try TokenMintState(data: account.data).supply == Self.amount(i))
                let ata = try AssociatedTokenAccountProgram.address(wallet: recipient, mint: mint, tokenProgram: Self.program(i).programID)
                let holding = try #require(try await rpc.accountInfo(ata, commitment: .confirmed), "token account of svc-\(i)")
                #expect(try TokenAccountState(data: holding.data).amount == Self.amount(i))
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
