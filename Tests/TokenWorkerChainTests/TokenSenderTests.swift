import AsyncHTTPClient
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

/// The sender end to end: jobs in real PostgreSQL, transactions executed by the local chain (real token programs),
/// through a blockhash that expires while the chain is stalled, an unfunded payer, and a crash after the
/// transaction was stored. (Many jobs through dropped sends and 429s: TokenWorkerServiceTests; third parties and a
/// misbehaving RPC: SenderAdversaryTests.)
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct TokenSenderTests {
    static let logger = Logger(label: "TokenSenderTests")
    let payer = try! Keypair(seed: [UInt8](repeating: 41, count: 32))
    let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 42, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 43, count: 32)).publicKey

    struct Harness {
        let client: PostgresClient
        let server: LocalChainServer
        let rpc: SolanaRPCClient
        let queue: TokenJobQueue
        let service: TokenWorkerService
    }

    /// A migrated, empty job table, a fresh local chain with the payer funded, and a worker "w1" (not running).
    func withHarness(payerFunded: Bool = true, _ body: @Sendable (Harness) async throws -> Void) async throws {
        let payer = self.payer
        let derivation = self.derivation
        try await WorkerTestEnvironment.with(database: "flutterbye_sender_test", fund: payerFunded ? payer.publicKey : nil) { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let service = ChainTestWorker.service(
                client: client, rpc: rpc, sender: ChainTestWorker.sender(payer: payer, derivation: derivation), workerID: "w1", maxInFlight: 16,
                logger: Self.logger)
            try await body(Harness(client: client, server: server, rpc: rpc, queue: queue, service: service))
        }
    }

    func request(_ key: String, program: String = "token-2022", amount: String = "1000") -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: program, decimals: 3, name: "Job \(key)", symbol: "JOB", uri: "https://flutterbye.example/\(key)",
            amount: amount, recipient: recipient.base58, memo: "job \(key)", maxAttempts: 10)
    }

    /// Runs the worker while `body` runs, then shuts it down gracefully.
    func running(_ harness: Harness, _ body: @Sendable () async throws -> Void) async throws {
        try await ServiceRun.running([harness.service], logger: Self.logger, body)
    }

    /// Polls job `id` until `done` holds (at most `seconds`); returns the job as last read.
    func wait(for id: Int64, _ queue: TokenJobQueue, seconds: Double = 120, until done: (TokenJob) -> Bool) async throws -> TokenJob {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var job = try await queue.job(id: id)
        while !done(job) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            job = try await queue.job(id: id)
        }
        return job
    }

    /// Exactly one successful creation on chain for `key`, and the supply where it belongs.
    func expectOneToken(_ harness: Harness, key: String, program: TokenProgram, amount: UInt64) async throws {
        let mint = derivation.keypair(forJobKey: key).publicKey
        let account = try #require(try await harness.rpc.accountInfo(mint, commitment: .processed), "mint of \(key)")
        #expect(account.owner == program.programID)
        #expect(try TokenMintState(data: account.data).supply == amount)
        let history = try await harness.rpc.signaturesForAddress(mint, commitment: .confirmed)
        #expect(history.filter { $0.error == nil || $0.error == .null }.count == 1, "one successful transaction for \(key)")
        let ata = try AssociatedTokenAccountProgram.address(wallet: recipient, mint: mint, tokenProgram: program.programID)
        let holding = try #require(try await harness.rpc.accountInfo(ata, commitment: .processed))
        #expect(try TokenAccountState(data: holding.data).amount == amount)
    }

    @Test func aBlockhashThatExpiresWhileTheChainIsStalledIsSignedAgainAndTheJobLandsOnce() async throws {
        try await withHarness { harness in
            let id = try await harness.queue.enqueue(request("expiry")).jobID
            // The node stops following the cluster: sends are queued, slots stand still.
            _ = try await harness.server.control(["stalled": true])
            try await running(harness) {
                let first = try #require(try await wait(for: id, harness.queue) { $0.signature != nil }.signature, "the first transaction was stored")
                // The cluster moves past the first transaction's lastValidBlockHeight without it; the worker signs again.
                _ = try await harness.server.control(["advance_slots": 160])
                let second = try #require(
                    try await wait(for: id, harness.queue) { $0.signature != nil && $0.signature != first }.signature, "a new transaction was signed")
                _ = try await harness.server.control(["stalled": false])
                let done = try await wait(for: id, harness.queue) { $0.state == .confirmed || $0.state == .finalized }
                #expect(done.state == .confirmed || done.state == .finalized, "\(done.state) \(done.errors)")
                #expect(done.signature == second)
                #expect(done.signatures == [first, second], "every transaction the job stored is kept")
                let firstStatus = try await harness.rpc.signatureStatuses([try Signature(base58: first)])
                #expect(firstStatus.count == 1 && firstStatus[0] == nil, "the expired one never landed")
            }
            try await expectOneToken(harness, key: "expiry", program: .token2022, amount: 1000)
        }
    }

    @Test func anUnfundedPayerFailsTheJobWithAReasonAndOthersAreUnaffected() async throws {
        try await withHarness(payerFunded: false) { harness in
            let id = try await harness.queue.enqueue(request("broke")).jobID
            try await running(harness) {
                let failed = try await wait(for: id, harness.queue) { $0.state.isFinished }
                #expect(failed.state == .failed)
                #expect(failed.errors.last?.errorClass == "insufficient_funds", "\(failed.errors)")
                #expect(failed.errors.last?.message.contains(payer.publicKey.base58) == true)
                #expect(failed.errors.last?.message.contains("fund it") == true)
                #expect(failed.signature == nil, "nothing was stored: nothing could land")
            }
        }
    }

    @Test func aStoredTransactionThatLandedIsNotSentAgain() async throws {
        try await withHarness { harness in
            // A worker signed, stored and sent the transaction, then died before recording the confirmation.
            let id = try await harness.queue.enqueue(request("crash")).jobID
            let dead = try #require(try await harness.queue.claim(workerID: "dead", limit: 1, lease: .milliseconds(10)).first?.lease)
            let plan = try TokenCreationPlan(
                program: .token2022, decimals: 3, name: "Job crash", symbol: "JOB", uri: "https://flutterbye.example/crash",
                amount: 1000, recipient: recipient, memo: "job crash")
            let mint = derivation.keypair(forJobKey: "crash")
            let latest = try await harness.rpc.latestBlockhash()
            let rent = try await harness.rpc.minimumBalanceForRentExemption(
                space: try plan.finalMintSpace(mint: mint.publicKey, updateAuthority: payer.publicKey))
            let transaction = try plan.transaction(
                payer: payer, mint: mint, mintAuthority: payer, mintRentLamports: rent, recentBlockhash: latest.blockhash,
                computeUnitLimit: 200_000, computeUnitPrice: 1)
            try await harness.queue.recordSubmission(
                TransactionSubmission(
                    lease: dead, mintAddress: mint.publicKey.base58, signature: transaction.id.base58, rawTransaction: transaction.serialized(),
                    lastValidBlockHeight: latest.lastValidBlockHeight))
            _ = try await harness.rpc.sendTransaction(transaction, skipPreflight: true)
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await harness.queue.rescueExpiredLeases().count == 1)

            try await running(harness) {
                let done = try await wait(for: id, harness.queue) { $0.state == .confirmed || $0.state == .finalized }
                #expect(done.state == .confirmed || done.state == .finalized, "\(done.state) \(done.errors)")
                #expect(done.signature == transaction.id.base58, "the landed transaction is the job's")
                #expect(done.signatures == [transaction.id.base58], "no second transaction was signed")
            }
            try await expectOneToken(harness, key: "crash", program: .token2022, amount: 1000)
        }
    }
}
