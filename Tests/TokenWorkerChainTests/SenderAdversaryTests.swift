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

/// The sender against third parties and a misbehaving RPC, end to end (real PostgreSQL, the local chain): lamports a
/// stranger sends to a job's mint address, an RPC that answers 429 while a processed transaction waits for
/// confirmation, and a worker whose master seed changed. A job ends with its real token, or failed with a reason and
/// nothing created; never confirmed without its token, never failed while its token exists.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct SenderAdversaryTests {
    static let logger = Logger(label: "SenderAdversaryTests")
    let payer = try! Keypair(seed: [UInt8](repeating: 91, count: 32))
    let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 92, count: 32))
    let otherDerivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 94, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 93, count: 32)).publicKey

    func withEnvironment(_ body: @Sendable (PostgresClient, SolanaRPCClient, LocalChainServer) async throws -> Void) async throws {
        try await WorkerTestEnvironment.with(database: "flutterbye_adversary_test", fund: payer.publicKey, body)
    }

    func service(_ client: PostgresClient, _ rpc: SolanaRPCClient, derivation: JobKeyDerivation? = nil) -> TokenWorkerService {
        ChainTestWorker.service(
            client: client, rpc: rpc, sender: ChainTestWorker.sender(payer: payer, derivation: derivation ?? self.derivation),
            workerID: "adversary", maxInFlight: 16, logger: Self.logger)
    }

    func request(_ key: String, maxAttempts: Int = 25) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token", decimals: 2, name: key, symbol: "ADV", uri: "https://x/\(key)", amount: "4242",
            recipient: recipient.base58, memo: "job \(key)", maxAttempts: maxAttempts)
    }

    /// Runs `services` until `body` returns, then shuts them down gracefully.
    func running(_ services: [TokenWorkerService], _ body: @Sendable () async throws -> Void) async throws {
        try await ServiceRun.running(services, logger: Self.logger, body)
    }

    /// The job's token is real: the mint is an initialized mint of the job's program and decimals, with the payer as
    /// mint authority, its supply in the recipient's associated token account, and the job's stored signature is the
    /// transaction that succeeded at the mint.
    func expectRealToken(_ key: String, _ queue: TokenJobQueue, _ rpc: SolanaRPCClient) async throws {
        let job = try #require(try await queue.job(idempotencyKey: key))
        #expect(job.state == .confirmed || job.state == .finalized, "\(key): \(job.state) \(job.errors)")
        let mint = derivation.keypair(forJobKey: key).publicKey
        let account = try #require(try await rpc.accountInfo(mint, commitment: .confirmed), "the mint of \(key)")
        #expect(account.owner == TokenProgram.token.programID, "the mint account is owned by \(account.owner)")
        let state = try TokenMintState(data: account.data)
        #expect(state.isInitialized && state.decimals == 2 && state.supply == 4242 && state.mintAuthority == payer.publicKey)
        let ata = try AssociatedTokenAccountProgram.address(wallet: recipient, mint: mint, tokenProgram: TokenProgram.token.programID)
        let holding = try #require(try await rpc.accountInfo(ata, commitment: .confirmed), "the recipient's token account")
        #expect(try TokenAccountState(data: holding.data).amount == 4242)
        let signature = try Signature(base58: try #require(job.signature))
        let status = try #require(try await rpc.signatureStatuses([signature]).first ?? nil, "the job's signature has a status")
        #expect(status.succeeded)
    }

    @Test func lamportsSentToTheMintAddressBeforeTheJobDoNotFoolIt() async throws {
        try await withEnvironment { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let mint = derivation.keypair(forJobKey: "prefunded").publicKey
            // Anyone can send lamports to any address: here 0.001 SOL before the job even exists.
            let gift = try Signature(base58: try await rpc.call("requestAirdrop", [.string(mint.base58), .uint(1_000_000)], as: String.self))
            try await rpc.waitUntilConfirmed(gift)
            _ = try await queue.enqueue(request("prefunded"))
            try await running([service(client, rpc)]) {
                let seen = try await queue.statesSeen(ofJob: "prefunded") { [.confirmed, .finalized, .failed].contains($0) }
                #expect(!seen.contains(.failed), "\(seen)")
            }
            try await expectRealToken("prefunded", queue, rpc)
            #expect(try await queue.job(idempotencyKey: "prefunded")?.signature != gift.base58, "the stranger's transfer is not the job's")
        }
    }

    /// The recipient's associated token account has a known address as soon as the mint's is: lamports sent there
    /// before the job must not keep its token from being created and minted to it.
    @Test func lamportsSentToTheRecipientsTokenAccountAddressDoNotBlockTheJob() async throws {
        try await withEnvironment { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let mint = derivation.keypair(forJobKey: "holding-funded").publicKey
            let ata = try AssociatedTokenAccountProgram.address(wallet: recipient, mint: mint, tokenProgram: TokenProgram.token.programID)
            let gift = try Signature(base58: try await rpc.call("requestAirdrop", [.string(ata.base58), .uint(1_000_000)], as: String.self))
            try await rpc.waitUntilConfirmed(gift)
            _ = try await queue.enqueue(request("holding-funded"))
            try await running([service(client, rpc)]) {
                let seen = try await queue.statesSeen(ofJob: "holding-funded") { [.confirmed, .finalized, .failed].contains($0) }
                let errors = try await queue.job(idempotencyKey: "holding-funded")?.errors ?? []
                #expect(!seen.contains(.failed), "\(seen) \(errors)")
            }
            try await expectRealToken("holding-funded", queue, rpc)
        }
    }

    @Test func lamportsSentToTheMintAddressWhileTheFirstSendIsLostDoNotBlockIt() async throws {
        try await withEnvironment { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let mint = derivation.keypair(forJobKey: "funded-in-flight").publicKey
            _ = try await server.control(["drop_rate": 1.0])
            _ = try await queue.enqueue(request("funded-in-flight"))
            try await running([service(client, rpc)]) {
                _ = try await queue.statesSeen(ofJob: "funded-in-flight") { $0 == .submitted }
                // The first send was dropped; the address is public now: a stranger funds it before the job's
                // transaction expires.
                let gift = try Signature(base58: try await rpc.call("requestAirdrop", [.string(mint.base58), .uint(1_000_000)], as: String.self))
                try await rpc.waitUntilConfirmed(gift)
                _ = try await server.control(["drop_rate": 0.0])
                let seen = try await queue.statesSeen(ofJob: "funded-in-flight") { [.confirmed, .finalized, .failed].contains($0) }
                let job = try #require(try await queue.job(idempotencyKey: "funded-in-flight"))
                if seen.last == .failed {
                    // Allowed only with the specific error naming the address.
                    #expect(
                        job.errors.last?.errorClass == "mint_address_taken" && job.errors.last?.message.contains(mint.base58) == true, "\(job.errors)"
                    )
                }
            }
            let job = try #require(try await queue.job(idempotencyKey: "funded-in-flight"))
            if job.state != .failed { try await expectRealToken("funded-in-flight", queue, rpc) }
            #expect(job.state != .failed, "the sender creates the mint on a pre-funded address: \(job.errors)")
        }
    }

    /// The job's only attempt: its transaction is processed, the chain stalls before confirming it and the RPC answers
    /// 429 for ten seconds (longer than the RPC client's own retries). The job must wait, not fail: the transaction
    /// confirms once the chain moves on.
    @Test func aJobIsNotFailedWhileItsProcessedTransactionWaitsBehind429s() async throws {
        try await withEnvironment { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            _ = try await server.control(["paused": true])
            _ = try await queue.enqueue(request("patient", maxAttempts: 1))
            let watcher = try SolanaRPCClient(endpoints: [RPCEndpoint(url: server.url.absoluteString)], logger: Self.logger)
            try await running([service(client, rpc)]) {
                _ = try await queue.statesSeen(ofJob: "patient") { $0 == .submitted }
                let job = try #require(try await queue.job(idempotencyKey: "patient"))
                let signature = try Signature(base58: try #require(job.signature))
                var processed = false
                for _ in 0..<200 where !processed {
                    processed = (try await watcher.signatureStatuses([signature]).first ?? nil) != nil
                    try await Task.sleep(for: .milliseconds(25))
                }
                #expect(processed, "the transaction landed, processed only (the chain is paused)")
                _ = try await server.control(["rate_429": 1.0])
                try await Task.sleep(for: .seconds(10))
                _ = try await server.control(["rate_429": 0.0, "paused": false])
                let seen = try await queue.statesSeen(ofJob: "patient") { [.confirmed, .finalized].contains($0) }
                #expect(!seen.contains(.failed), "the job was failed while its transaction could land: \(seen)")
            }
            try await expectRealToken("patient", queue, rpc)
        }
    }

    /// The job's only attempt: its transaction is processed and the RPC answers every status poll with a JSON-RPC
    /// error for a while (a provider misbehaving). The job must wait, not fail.
    @Test func aJobIsNotFailedWhileTheRPCAnswersItsStatusPollsWithAnError() async throws {
        try await withEnvironment { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            _ = try await server.control(["paused": true])
            _ = try await queue.enqueue(request("erring", maxAttempts: 1))
            try await running([service(client, rpc)]) {
                _ = try await queue.statesSeen(ofJob: "erring") { $0 == .submitted }
                _ = try await server.control([
                    "method_errors": ["getSignatureStatuses": ["rate": 1.0, "code": -32603, "message": "Internal error"]]
                ])
                try await Task.sleep(for: .seconds(3))
                _ = try await server.control(["method_errors": [String: Any](), "paused": false])
                let seen = try await queue.statesSeen(ofJob: "erring") { [.confirmed, .finalized].contains($0) }
                #expect(!seen.contains(.failed), "the job was failed while its transaction could land: \(seen)")
            }
            try await expectRealToken("erring", queue, rpc)
        }
    }

    /// The job's first transaction lands, but the endpoint lags and shows neither it nor the mint until after the
    /// transaction's blockhash expired; the worker signs again, and the new transaction finds the mint address in use.
    /// The job is the first transaction's: confirmed with it, never failed. On a starved machine the first
    /// transaction's blockhash can expire before the stall ends, and then the scenario did not happen (the second
    /// transaction creating the token is right): each job must still end right, and the scenario is tried again with
    /// a new job, up to three times.
    @Test func aTransactionThatFindsTheMintInUseBecauseAnEarlierOneLandedConfirmsTheEarlierOne() async throws {
        try await withEnvironment { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let happened = Shared(false)
            for attempt in 1...3 where !happened.withLock({ $0 }) {
                let key = "lagging-\(attempt)"
                let mint = derivation.keypair(forJobKey: key).publicKey
                _ = try await server.control(["stalled": true])
                _ = try await queue.enqueue(request(key))
                try await running([service(client, rpc)]) {
                    _ = try await queue.statesSeen(ofJob: key) { $0 == .submitted }
                    let first = try #require(try await queue.job(idempotencyKey: key)?.signature)
                    _ = try await server.control(["hidden": ["signatures": [first], "accounts": [mint.base58]]])
                    // The first transaction lands, unseen; then the cluster moves past its last valid block height.
                    _ = try await server.control(["stalled": false])
                    _ = try await server.control(["advance_slots": 200])
                    var second: String?
                    for _ in 0..<600 where second == nil {
                        if let signature = try await queue.job(idempotencyKey: key)?.signature, signature != first { second = signature }
                        try await Task.sleep(for: .milliseconds(25))
                    }
                    // The endpoint catches up.
                    _ = try await server.control(["hidden": ["signatures": [String](), "accounts": [String]()]])
                    let seen = try await queue.statesSeen(ofJob: key) { [.confirmed, .finalized, .failed].contains($0) }
                    let job = try #require(try await queue.job(idempotencyKey: key))
                    #expect(!seen.contains(.failed), "\(seen) \(job.errors)")
                    let firstStatus = try await rpc.signatureStatuses([try Signature(base58: first)]).first ?? nil
                    if firstStatus != nil && firstStatus?.error == nil {
                        happened.withLock { $0 = true }
                        #expect(job.signature == first, "the job is its first transaction's")
                    }
                }
                try await expectRealToken(key, queue, rpc)
            }
            #expect(happened.withLock { $0 }, "in three jobs the first transaction never landed (its blockhash expired during the stall?)")
        }
    }

    /// A job whose transaction was stored under another master seed (its mint address is that seed's): a worker with
    /// the new seed must not create a second token at its own derived address. The job fails naming the problem and
    /// nothing is created.
    @Test func aJobWhoseStoredMintIsNotTheDerivedOneFailsAndCreatesNothing() async throws {
        try await withEnvironment { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            _ = try await server.control(["drop_rate": 1.0])
            _ = try await queue.enqueue(request("reseeded"))
            try await running([service(client, rpc)]) {
                _ = try await queue.statesSeen(ofJob: "reseeded") { $0 == .submitted }
            }
            // The first seed's transaction never lands and expires.
            _ = try await server.control(["drop_rate": 0.0, "advance_slots": 200])
            // A database from before fingerprints, or one whose fingerprint an operator removed.
            try await client.query(
                "DO $$ BEGIN IF to_regclass('flutterbye.key_fingerprints') IS NOT NULL THEN DELETE FROM flutterbye.key_fingerprints; END IF; END $$",
                logger: Self.logger)
            try await running([service(client, rpc, derivation: otherDerivation)]) {
                _ = try await queue.statesSeen(ofJob: "reseeded") { [.confirmed, .finalized, .failed].contains($0) }
            }
            let job = try #require(try await queue.job(idempotencyKey: "reseeded"))
            #expect(job.state == .failed, "\(job.state)")
            #expect(job.errors.last?.errorClass == "mint_mismatch", "\(job.errors)")
            #expect(job.mintAddress == derivation.keypair(forJobKey: "reseeded").publicKey.base58)
            let reseededMint = otherDerivation.keypair(forJobKey: "reseeded").publicKey
            #expect(try await rpc.accountInfo(reseededMint, commitment: .processed) == nil, "no token at the new seed's address")
            #expect(try await rpc.accountInfo(derivation.keypair(forJobKey: "reseeded").publicKey, commitment: .processed) == nil)
        }
    }

    /// A worker whose master seed is not the one the database's jobs were made with refuses to start, naming the
    /// variable (never the seed).
    @Test func aWorkerWithAnotherMasterSeedRefusesToStart() async throws {
        try await withEnvironment { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            _ = try await queue.enqueue(request("first-seed"))
            try await running([service(client, rpc)]) {
                _ = try await queue.statesSeen(ofJob: "first-seed") { [.confirmed, .finalized].contains($0) }
            }
            let group = ServiceGroup(services: [service(client, rpc, derivation: otherDerivation)], gracefulShutdownSignals: [], logger: Self.logger)
            let outcome: Result<Void, any Error> = await withTaskGroup(of: Result<Void, any Error>.self) { tasks in
                tasks.addTask {
                    do {
                        try await group.run()
                        return .success(())
                    } catch { return .failure(error) }
                }
                tasks.addTask {
                    try? await Task.sleep(for: .seconds(5))
                    await group.triggerGracefulShutdown()
                    return .success(())
                }
                let first = await tasks.next()!
                tasks.cancelAll()
                await group.triggerGracefulShutdown()
                return first
            }
            guard case .failure(let error) = outcome else {
                Issue.record("a worker with another master seed ran")
                return
            }
            let text = "\(error)"
            #expect(text.contains("FLUTTERBYE_MASTER_SEED"), "\(text)")
            #expect(!text.contains(String(repeating: "5e", count: 8)), "the seed itself is never shown")
        }
    }
}
