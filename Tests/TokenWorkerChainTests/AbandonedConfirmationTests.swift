import ChainTestSupport
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// A confirmed job whose block was abandoned (a fork that died after its confirmation): the chain has none of its
/// transactions, none can land any more, and its mint address holds no mint. The workers run it again by themselves
/// and it ends with its real token; a confirmed job whose token exists, or whose transaction could still land, is
/// left confirmed. Real PostgreSQL, the local chain.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct AbandonedConfirmationTests {
    static let logger = Logger(label: "AbandonedConfirmationTests")
    let payer = try! Keypair(seed: [UInt8](repeating: 71, count: 32))
    let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 72, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 73, count: 32)).publicKey

    func withEnvironment(_ body: @Sendable (PostgresClient, SolanaRPCClient, LocalChainServer) async throws -> Void) async throws {
        try await WorkerTestEnvironment.with(database: "flutterbye_abandoned_test", fund: payer.publicKey, body)
    }

    func service(_ client: PostgresClient, _ rpc: SolanaRPCClient) -> TokenWorkerService {
        ChainTestWorker.service(
            client: client, rpc: rpc, sender: ChainTestWorker.sender(payer: payer, derivation: derivation), workerID: "abandoned",
            maxInFlight: 4, logger: Self.logger)
    }

    func request(_ key: String) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token", decimals: 3, name: key, symbol: "ABN", uri: "https://x/\(key)", amount: "777",
            recipient: recipient.base58, maxAttempts: 1)
    }

    /// A signature the chain never saw: the transaction of a block that was abandoned.
    static func ghost() throws -> Signature { try Signature(bytes: (0..<64).map { _ in UInt8.random(in: 0...255) }) }

    /// Enqueues `key` and takes it through the queue's own steps to `confirmed` with `signature`, stored at the job's
    /// derived mint address and valid until `lastValidBlockHeight`: what a worker writes when the transaction it sent
    /// is confirmed.
    func confirmed(_ key: String, signature: Signature, lastValidBlockHeight: UInt64, _ queue: TokenJobQueue) async throws -> Int64 {
        let id = try await queue.enqueue(request(key)).jobID
        let job = try #require(try await queue.claim(workerID: "earlier", limit: 1, lease: .seconds(60)).first)
        #expect(job.id == id)
        let lease = try #require(job.lease)
        try await queue.recordSubmission(
            TransactionSubmission(
                lease: lease, mintAddress: derivation.keypair(forJobKey: key).publicKey.base58, signature: signature.base58, rawTransaction: [1],
                lastValidBlockHeight: lastValidBlockHeight))
        try await queue.markConfirmed(lease, signature: signature.base58)
        return id
    }

    /// The chain's finalized block height once it is past `height`.
    func finalizedBlockHeight(past height: UInt64, _ rpc: SolanaRPCClient, _ server: LocalChainServer) async throws -> UInt64 {
        for _ in 0..<200 {
            let finalized = try await rpc.blockHeight(commitment: .finalized)
            if finalized > height { return finalized }
            _ = try await server.control(["advance_slots": 40])
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("the chain's finalized block height did not pass \(height)")
        return 0
    }

    /// The token the job made: an initialized mint of 3 decimals with the payer as authority and 777 in the recipient's
    /// account, created by the job's stored signature.
    func expectRealToken(_ key: String, _ queue: TokenJobQueue, _ rpc: SolanaRPCClient) async throws {
        let job = try #require(try await queue.job(idempotencyKey: key))
        let mint = derivation.keypair(forJobKey: key).publicKey
        let account = try #require(try await rpc.accountInfo(mint, commitment: .confirmed), "the mint of \(key)")
        #expect(account.owner == TokenProgram.token.programID)
        let state = try TokenMintState(data: account.data)
        #expect(state.isInitialized && state.decimals == 3 && state.supply == 777 && state.mintAuthority == payer.publicKey)
        let ata = try AssociatedTokenAccountProgram.address(wallet: recipient, mint: mint, tokenProgram: TokenProgram.token.programID)
        let holding = try #require(try await rpc.accountInfo(ata, commitment: .confirmed), "the recipient's token account")
        #expect(try TokenAccountState(data: holding.data).amount == 777)
        let signature = try Signature(base58: try #require(job.signature))
        #expect(try await rpc.signatureStatuses([signature]).first??.succeeded == true)
    }

    @Test func aJobConfirmedInAnAbandonedBlockIsRunAgainAndGetsItsToken() async throws {
        try await withEnvironment { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let height = try await rpc.blockHeight(commitment: .finalized)
            let ghost = try Self.ghost()
            let id = try await confirmed("abandoned", signature: ghost, lastValidBlockHeight: height + 2, queue)
            _ = try await finalizedBlockHeight(past: height + 2, rpc, server)

            try await ServiceRun.running([service(client, rpc)], logger: Self.logger) {
                var now = try await queue.job(id: id)
                let deadline = ContinuousClock.now + .seconds(90)
                while !(now.state == .finalized || now.state == .failed || (now.state == .confirmed && now.signature != ghost.base58))
                    && ContinuousClock.now < deadline
                {
                    _ = try await server.control(["advance_slots": 2])
                    try await Task.sleep(for: .milliseconds(50))
                    now = try await queue.job(id: id)
                }
            }
            let job = try await queue.job(id: id)
            #expect([.confirmed, .finalized].contains(job.state) && job.signature != ghost.base58, "\(job.state) \(job.errors)")
            #expect(job.errors.first?.errorClass == "confirmation_abandoned", "\(job.errors)")
            #expect(job.errors.first?.message.contains(ghost.base58) == true)
            #expect(job.signatures.contains(ghost.base58), "the abandoned transaction stays one of the job's")
            try await expectRealToken("abandoned", queue, rpc)
        }
    }

    @Test func aConfirmedJobWhoseTokenExistsStaysConfirmedWhenTheNodeLostItsTransaction() async throws {
        try await withEnvironment { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let id = try await queue.enqueue(request("kept")).jobID
            try await ServiceRun.running([service(client, rpc)], logger: Self.logger) {
                let job = try await queue.finishedJob(id, patience: .seconds(60))
                #expect([.confirmed, .finalized].contains(job.state), "\(job.state) \(job.errors)")
            }
            try await expectRealToken("kept", queue, rpc)
            // The node no longer knows the job's transaction (its history pruned, say): only its mint shows the token.
            let ghost = try Self.ghost()
            let height = try await rpc.blockHeight(commitment: .finalized)
            _ = try await client.query(
                "UPDATE flutterbye.token_jobs SET state = 'confirmed', finalized_at = NULL, finished_at = NULL, signature = \(ghost.base58), signatures = ARRAY[\(ghost.base58)], last_valid_block_height = \(Int64(height)) WHERE id = \(id)"
            )
            _ = try await finalizedBlockHeight(past: height, rpc, server)
            let pass = try await JobFinalizer(queue: queue, rpc: rpc, logger: Self.logger).finalizeConfirmedJobs()
            #expect(pass.lookedCloser && pass.finalized == 0 && pass.reopened == 0)
            #expect(try await queue.job(id: id).state == .confirmed)
        }
    }

    @Test func aConfirmedJobWhoseTransactionCanStillLandStaysConfirmed() async throws {
        try await withEnvironment { client, rpc, _ in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let height = try await rpc.blockHeight(commitment: .finalized)
            let id = try await confirmed("young", signature: try Self.ghost(), lastValidBlockHeight: height + 10_000, queue)
            let pass = try await JobFinalizer(queue: queue, rpc: rpc, logger: Self.logger).finalizeConfirmedJobs()
            #expect(pass.lookedCloser && pass.finalized == 0 && pass.reopened == 0)
            #expect(try await queue.job(id: id).state == .confirmed)
        }
    }
}
