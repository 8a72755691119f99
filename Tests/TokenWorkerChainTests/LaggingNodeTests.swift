import ChainTestSupport
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// The sender end to end (real PostgreSQL, the local chain): a job is never failed while its token exists,
/// whatever a lagging node behind the RPC URL answers.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct LaggingNodeTests {
    static let logger = Logger(label: "LaggingNodeTests")
    let payer = try! Keypair(seed: [UInt8](repeating: 71, count: 32))
    let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 72, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 73, count: 32)).publicKey

    func request(_ key: String, maxAttempts: Int) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token", decimals: 2, name: key, symbol: "REV", uri: "https://x/\(key)", amount: "4242",
            recipient: recipient.base58, memo: nil, maxAttempts: maxAttempts)
    }

    /// Attempt 1 of job `key`: a worker claims it, stores and sends its transaction, which lands (confirmed) in the
    /// last blocks of its blockhash's life, and dies (its lease of 500 ms lapses). The transaction and its last valid
    /// block height.
    func landInTheLastBlocksAndDie(
        _ key: String, _ queue: TokenJobQueue, _ rpc: SolanaRPCClient, _ server: LocalChainServer
    ) async throws -> (transaction: Transaction, lastValid: UInt64) {
        let claimed = try #require(try await queue.claim(workerID: "crashed", limit: 1, lease: .milliseconds(500)).first)
        let lease = try #require(claimed.lease)
        let plan = try claimed.request.plan()
        let mint = derivation.keypair(forJobKey: key)
        let recent = try await rpc.latestBlockhash(commitment: .confirmed)
        let rent = try await rpc.minimumBalanceForRentExemption(space: plan.mintSpace)
        let transaction = try plan.transaction(
            payer: payer, mint: mint, mintAuthority: payer, mintRentLamports: rent, recentBlockhash: recent.blockhash,
            computeUnitLimit: 200_000, computeUnitPrice: 0)
        let stored = try await queue.recordSubmissions([
            TransactionSubmission(
                lease: lease, mintAddress: mint.publicKey.base58, signature: transaction.id.base58, rawTransaction: transaction.serialized(),
                lastValidBlockHeight: recent.lastValidBlockHeight)
        ])
        #expect(stored == [claimed.id])
        let height = try await rpc.blockHeight(commitment: .processed)
        if recent.lastValidBlockHeight > height + 12 {
            _ = try await server.control(["advance_slots": Int(recent.lastValidBlockHeight - height - 12)])
        }
        _ = try await rpc.sendTransaction(transaction, skipPreflight: true)
        var status: SignatureStatus?
        for _ in 0..<200 where status?.isConfirmed != true {
            try await Task.sleep(for: .milliseconds(20))
            status = try await rpc.signatureStatuses([transaction.id]).first ?? nil
        }
        try #require(status?.succeeded == true && status?.isConfirmed == true, "the job's transaction landed: \(String(describing: status))")
        return (transaction, recent.lastValidBlockHeight)
    }

    /// The node the next worker reads the mint from lags: it shows neither `transaction` nor the mint yet. The cluster
    /// moves just past the transaction's last valid block height, and the dead worker's job goes back to the queue.
    func lagAndRescue(
        _ transaction: Transaction, mint: PublicKey, lastValid: UInt64, _ queue: TokenJobQueue, _ rpc: SolanaRPCClient,
        _ server: LocalChainServer
    ) async throws {
        _ = try await server.control(["hidden": ["signatures": [transaction.id.base58], "accounts": [mint.base58]]])
        let now = try await rpc.blockHeight(commitment: .processed)
        _ = try await server.control(["advance_slots": Int(max(lastValid + 3, now) - now + 1)])
        try await Task.sleep(for: .milliseconds(600))
        #expect(try await queue.rescueExpiredLeases().retried == 1, "the dead worker's job goes back to the queue")
    }

    /// A worker resumes job `key` while the node lags (10 s), then after it caught up (at most 60 s): every state the
    /// job went through, in order.
    func resumeWhileTheNodeLags(
        _ key: String, _ queue: TokenJobQueue, _ client: PostgresClient, _ rpc: SolanaRPCClient, _ server: LocalChainServer
    ) async throws -> [TokenJobState] {
        let service = ChainTestWorker.service(
            client: client, rpc: rpc, sender: ChainTestWorker.sender(payer: payer, derivation: derivation), workerID: "resumer",
            maxInFlight: 4, logger: Self.logger)
        let record = Shared<[TokenJobState]>([])
        try await ServiceRun.running([service], logger: Self.logger) {
            let lagging = try await queue.statesSeen(ofJob: key, seconds: 10) { [.confirmed, .finalized, .failed].contains($0) }
            _ = try await server.control(["hidden": ["signatures": [String](), "accounts": [String]()]])
            let caughtUp = try await queue.statesSeen(ofJob: key, seconds: 60) { [.confirmed, .finalized, .failed].contains($0) }
            record.withLock { $0 = lagging + caughtUp }
        }
        return record.withLock { $0 }
    }

    /// Resumes job `key` while the node lags (`resumeWhileTheNodeLags`) and checks that its token exists and that it
    /// was never failed; the job as it ends.
    func expectNeverFailed(
        _ key: String, mint: PublicKey, _ queue: TokenJobQueue, _ client: PostgresClient, _ rpc: SolanaRPCClient, _ server: LocalChainServer
    ) async throws -> TokenJob {
        let seen = try await resumeWhileTheNodeLags(key, queue, client, rpc, server)
        let job = try #require(try await queue.job(idempotencyKey: key))
        let account = try await rpc.accountInfo(mint, commitment: .confirmed)
        #expect(account?.owner == TokenProgram.token.programID, "the job's token exists")
        #expect(
            !seen.contains(.failed), "failed while its token exists: states \(seen), errors \(job.errors.map { "\($0.errorClass): \($0.message)" })")
        return job
    }

    /// A job on its last attempt (`max_attempts` 1): its worker stored and sent its transaction, which landed in the
    /// last blocks of its blockhash's life, and then died. The rescuer gives the job back; the next worker resumes the
    /// stored transaction and may not sign again (`attempts_exhausted`), so it only settles what was stored. The block
    /// height it reads has passed the transaction's last valid height, but the node that answers its look at the mint
    /// (behind the same RPC URL) lags a few blocks: it shows neither the transaction nor the mint yet (`hidden`, for
    /// ten seconds). The job must not be failed: its token exists, created by its own transaction. It was failed at
    /// once on that one `absent` reading ("none of its transactions created the token"), and stays failed after the
    /// node catches up.
    @Test func aJobOnItsLastAttemptIsNotFailedWhileALaggingNodeDoesNotShowTheTokenItsTransactionCreated() async throws {
        try await WorkerTestEnvironment.with(database: "flutterbye_lagging_node_test", fund: payer.publicKey) { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let key = "last-attempt-lagging"
            let mint = derivation.keypair(forJobKey: key)
            _ = try await queue.enqueue(request(key, maxAttempts: 1))

            let (transaction, lastValid) = try await landInTheLastBlocksAndDie(key, queue, rpc, server)
            try await lagAndRescue(transaction, mint: mint.publicKey, lastValid: lastValid, queue, rpc, server)

            // Attempt 2: a worker resumes the stored transaction.
            let job = try await expectNeverFailed(key, mint: mint.publicKey, queue, client, rpc, server)
            #expect(
                [.confirmed, .finalized].contains(job.state) && job.signature == transaction.id.base58,
                "\(job.state) \(String(describing: job.signature))")
        }
    }

    /// The same lagging node with a job on its first attempt (`max_attempts` 25, may sign again), when the fee payer
    /// runs low: its transaction landed in the last blocks of its blockhash's life and its worker died. The next worker
    /// finds the transaction expired and the mint absent (the node lags), signs again, and the payer cannot pay for the
    /// new transaction (its preflight, or the shape's simulation, refuses it: `insufficient_funds`). The node still
    /// lags and reads nothing at the mint once more: the job was failed as "cannot pay", with its first transaction's
    /// token on chain.
    @Test func aJobIsNotFailedForThePayersFundsWhileALaggingNodeDoesNotShowTheTokenItsTransactionCreated() async throws {
        try await WorkerTestEnvironment.with(database: "flutterbye_lagging_node_test", fund: payer.publicKey) { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let key = "payer-low-lagging"
            let mint = derivation.keypair(forJobKey: key)
            _ = try await queue.enqueue(request(key, maxAttempts: 25))

            let (transaction, lastValid) = try await landInTheLastBlocksAndDie(key, queue, rpc, server)

            // The payer runs low: what is left pays a fee, not another mint's rent.
            let balance = try await rpc.balance(payer.publicKey)
            let sink = try Keypair(seed: [UInt8](repeating: 74, count: 32)).publicKey
            let drain = try Transaction(
                message: .legacy(
                    try LegacyMessage(
                        payer: payer.publicKey,
                        instructions: [SystemProgram.transfer(from: payer.publicKey, to: sink, lamports: balance - 1_000_000)],
                        recentBlockhash: try await rpc.latestBlockhash().blockhash)), signers: [payer])
            _ = try await rpc.sendTransaction(drain)
            for _ in 0..<200 where try await rpc.balance(payer.publicKey) > 1_000_000 { try await Task.sleep(for: .milliseconds(20)) }

            try await lagAndRescue(transaction, mint: mint.publicKey, lastValid: lastValid, queue, rpc, server)

            _ = try await expectNeverFailed(key, mint: mint.publicKey, queue, client, rpc, server)
        }
    }
}
