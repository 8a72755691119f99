import AsyncHTTPClient
import ChainTestSupport
import Foundation
import Logging
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// The RPC client against the project's local chain (real token programs in LiteSVM behind Solana JSON-RPC),
/// including its faults: 429s, 5xx, a dead endpoint, failed preflights.
@Suite(.enabled(if: LocalChainServer.isAvailable, "needs the Python venv with solders: run Tests/run"))
struct SolanaRPCClientTests {
    let logger = Logger(label: "SolanaRPCClientTests")
    let payer = try! Keypair(seed: [UInt8](repeating: 31, count: 32))

    func client(
        _ server: LocalChainServer, endpoints extra: [RPCEndpoint] = [],
        retry: RPCRetryPolicy = RPCRetryPolicy(maxAttempts: 8, initialBackoff: .milliseconds(20)),
        requestsPerSecond: Double? = nil
    ) throws -> SolanaRPCClient {
        try SolanaRPCClient(
            endpoints: extra + [RPCEndpoint(url: server.url.absoluteString, requestsPerSecond: requestsPerSecond)], timeout: .seconds(5),
            retry: retry, logger: logger)
    }

    func fund(_ client: SolanaRPCClient, _ key: PublicKey) async throws {
        _ = try await client.call("requestAirdrop", [.string(key.base58), .uint(50_000_000_000)], as: String.self)
    }

    func tokenTransaction(_ client: SolanaRPCClient, key: String, blockhash: Blockhash) async throws -> (Transaction, PublicKey) {
        let plan = try TokenCreationPlan(
            program: .token2022, decimals: 2, name: "RPC", symbol: "RPC", uri: "https://x", amount: 500,
            recipient: try PublicKey(base58: "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"), memo: key)
        let mint = try JobKeyDerivation(masterSeed: [UInt8](repeating: 32, count: 32)).keypair(forJobKey: key)
        let rent = try await client.minimumBalanceForRentExemption(
            space: try plan.finalMintSpace(mint: mint.publicKey, updateAuthority: payer.publicKey))
        let transaction = try plan.transaction(
            payer: payer, mint: mint, mintAuthority: payer, mintRentLamports: rent, recentBlockhash: blockhash, computeUnitLimit: 200_000,
            computeUnitPrice: 7_000)
        return (transaction, mint.publicKey)
    }

    @Test func sendsATokenCreationAndFollowsItToFinalized() async throws {
        // Slots of 200 ms: a blockhash lasts 30 s. With 50 ms ones (7.5 s) a loaded CI run sent the transaction after
        // its blockhash expired, and it never landed.
        let server = try await LocalChainServer.start(slotMs: 200)
        let client = try client(server)
        try await fund(client, payer.publicKey)
        let latest = try await client.latestBlockhash(commitment: .processed)
        #expect(latest.lastValidBlockHeight >= 150)
        let (transaction, mint) = try await tokenTransaction(client, key: "rpc-1", blockhash: latest.blockhash)

        let simulation = try await client.simulateTransaction(transaction)
        #expect(simulation.succeeded, "\(simulation.logs)")
        #expect((simulation.unitsConsumed ?? 0) > 0)

        let signature = try await client.sendTransaction(transaction, skipPreflight: true)
        #expect(signature == transaction.id)
        var seen: Set<Commitment> = []
        for _ in 0..<200 {
            if let status = try await client.signatureStatuses([signature]).first ?? nil {
                #expect(status.succeeded)
                if let level = status.confirmationStatus { seen.insert(level) }
                if status.confirmationStatus == .finalized { break }
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(seen.contains(.finalized), "saw \(seen)")
        let account = try #require(try await client.accountInfo(mint, commitment: .processed))
        #expect(account.owner == TokenProgram.token2022.programID)
        #expect(try TokenMintState(data: account.data).supply == 500)
        #expect(try await client.accountInfo(Keypair.generate().publicKey) == nil)
        #expect(try await client.balance(payer.publicKey, commitment: .processed) > 0)
        #expect(try await client.recentPrioritizationFees(accounts: [mint]).contains(7_000))
        #expect(!(try await client.genesisHash()).isEmpty)
    }

    @Test func aFailedPreflightIsAPermanentErrorWithTheProgramLogs() async throws {
        let server = try await LocalChainServer.start()
        let client = try client(server)
        // The payer has no lamports: the preflight fails.
        let (transaction, _) = try await tokenTransaction(
            client, key: "rpc-broke", blockhash: try await client.latestBlockhash(commitment: .processed).blockhash)
        do {
            _ = try await client.sendTransaction(transaction, preflightCommitment: .processed)
            Issue.record("the preflight should fail")
        } catch {
            #expect(error.code == .rpc)
            #expect(!error.isTransient)
            #expect(error.rpcCode == -32002, "\(error)")
        }
    }

    @Test func retriesThrough429sAnd5xxAndReportsThemWhenTheyPersist() async throws {
        let server = try await LocalChainServer.start()
        let client = try client(server)
        // Each 429 costs its Retry-After (1 s), so keep the number of calls small.
        _ = try await server.control(["rate_429": 0.25, "rate_5xx": 0.25])
        for _ in 0..<8 { #expect(try await client.blockHeight(commitment: .processed) >= 0) }
        let state = try await server.controlState()
        #expect(String(describing: state).contains("429"), "faults were injected: \(state)")

        _ = try await server.control(["rate_429": 1.0, "rate_5xx": 0.0])
        let stubborn = try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(5),
            retry: RPCRetryPolicy(maxAttempts: 2, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(20)), logger: logger)
        do {
            _ = try await stubborn.blockHeight()
            Issue.record("429 on every request should surface")
        } catch {
            #expect(error.code == .rateLimited)
            #expect(error.isTransient)
            #expect(error.retryAfter == .seconds(1))
        }
    }

    @Test func failsOverFromADeadEndpoint() async throws {
        let server = try await LocalChainServer.start()
        // An endpoint that takes connections and never answers: each call to it lasts the whole timeout.
        let silent = try LocalChainServer.silentListener()
        defer { close(silent.descriptor) }
        // The connection itself is accepted at once by the kernel; a short connect timeout could still expire first on
        // a starved event loop (a loaded clean-clone run failed over after 2.3 s), which is not what is tested here.
        let http = SolanaRPCClient.makeHTTPClient(connectTimeout: .seconds(5))
        let client = try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: "http://127.0.0.1:\(silent.port)/"), RPCEndpoint(url: server.url.absoluteString)], httpClient: http,
            timeout: .seconds(8), logger: logger)
        let first = ContinuousClock.now
        #expect(try await client.blockHeight(commitment: .processed) >= 0)
        #expect(ContinuousClock.now - first >= .seconds(8), "the silent endpoint was tried first, for the whole timeout")
        // The endpoint that answered is tried first from now on: no call waits on the silent one (the timeout is long
        // enough that a loaded CI machine's slow answer cannot be mistaken for it: a run saw 3.6 s).
        let start = ContinuousClock.now
        #expect(try await client.blockHeight(commitment: .processed) >= 0)
        #expect(ContinuousClock.now - start < .seconds(8))
        try await http.shutdown()
        #expect(throws: RPCError.self) { try SolanaRPCClient(endpoints: [], logger: logger) }
        #expect(throws: RPCError.self) { try SolanaRPCClient(endpoints: [RPCEndpoint(url: "ftp://x")], logger: logger) }
    }

    @Test func batchesAnswerInOrderWithPerCallErrors() async throws {
        let server = try await LocalChainServer.start()
        let client = try client(server)
        let answers = try await client.batch([
            (method: "getMinimumBalanceForRentExemption", params: [82]),
            (method: "noSuchMethod", params: []),
            (method: "getMinimumBalanceForRentExemption", params: [165]),
        ])
        #expect(answers.count == 3)
        #expect(try answers[0].get() == .int(1_461_600))
        #expect(throws: RPCError.self) { try answers[1].get() }
        #expect(try answers[2].get() == .int(2_039_280))
    }

    @Test func theRateLimitSpacesRequests() async throws {
        let server = try await LocalChainServer.start()
        let client = try client(server, requestsPerSecond: 10)
        let start = ContinuousClock.now
        for _ in 0..<25 { _ = try await client.blockHeight(commitment: .processed) }
        // A burst of 10, then 15 more at 10 a second: at least about 1.5 s.
        #expect(ContinuousClock.now - start >= .milliseconds(1300))
    }
    /// A transfer of `lamports` from the payer, signed (at least the rent-exempt minimum of an empty account, 890,880,
    /// or it fails).
    func transfer(_ lamports: UInt64, to recipient: PublicKey, blockhash: Blockhash) throws -> Transaction {
        let message = try LegacyMessage(
            payer: payer.publicKey, instructions: [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: lamports)],
            recentBlockhash: blockhash)
        return try Transaction(message: .legacy(message), signers: [payer])
    }

    @Test func signatureStatusesSplitsPastTheNodesLimitAndAnswersInOrder() async throws {
        let server = try await LocalChainServer.start()
        let client = try client(server)
        try await fund(client, payer.publicKey)
        let blockhash = try await client.latestBlockhash(commitment: .processed).blockhash
        let landed = try await client.sendTransaction(
            try transfer(1_000_000, to: Keypair.generate().publicKey, blockhash: blockhash), skipPreflight: true)
        // 300 signatures: more than the 256 a node takes in one call (the local chain refuses more, as Solana does).
        let unknown = try (0..<298).map { _ in try Signature(bytes: (0..<64).map { _ in UInt8.random(in: 0...255) }) }
        let statuses = try await client.signatureStatuses([landed] + unknown + [landed])
        #expect(statuses.count == 300)
        #expect(statuses[0]?.succeeded == true && statuses[299]?.slot == statuses[0]?.slot)
        #expect(statuses[1..<299].allSatisfy { $0 == nil })
        // Without the history search, a recent transaction is still found (one sent now: on a loaded machine the calls
        // above can outlast the recent statuses a node keeps, and `landed` with them); the old call keeps working.
        let recent = try await client.sendTransaction(
            try transfer(1_000_001, to: Keypair.generate().publicKey, blockhash: try await client.latestBlockhash(commitment: .processed).blockhash),
            skipPreflight: true)
        #expect(try await client.signatureStatuses([recent], searchTransactionHistory: false).first??.succeeded == true)
        #expect(try await client.signatureStatuses([landed]).count == 1)
        #expect(try await client.signatureStatuses([]).isEmpty)
    }

    @Test func sendTransactionsAnswersEachSendInItsPlace() async throws {
        let server = try await LocalChainServer.start()
        let client = try client(server)
        try await fund(client, payer.publicKey)
        let blockhash = try await client.latestBlockhash(commitment: .processed).blockhash
        let good = try transfer(1_000_000, to: Keypair.generate().publicKey, blockhash: blockhash)
        // More lamports than the payer has: the preflight fails, with the system program's logs.
        let broke = try transfer(1_000_000_000_000_000, to: Keypair.generate().publicKey, blockhash: blockhash)
        let unchecked = try transfer(2_000_000, to: Keypair.generate().publicKey, blockhash: blockhash)
        let answers = try await client.sendTransactions(
            [(transaction: good, skipPreflight: false), (transaction: broke, skipPreflight: false), (transaction: unchecked, skipPreflight: true)],
            preflightCommitment: .processed)
        #expect(answers.count == 3)
        #expect(try answers[0].get() == good.id)
        #expect(try answers[2].get() == unchecked.id)
        do {
            _ = try answers[1].get()
            Issue.record("the preflight should fail")
        } catch {
            #expect(error.code == .rpc && error.rpcCode == -32002, "\(error)")
            #expect(!error.isTransient)
            #expect(error.logs.contains { $0.contains("insufficient lamports") }, "\(error.logs)")
        }
        #expect(try await client.sendTransactions([]).isEmpty)
        for _ in 0..<200 {
            let statuses = try await client.signatureStatuses([good.id, broke.id, unchecked.id])
            if statuses[0] != nil && statuses[2] != nil {
                #expect(statuses[1] == nil)
                return
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("the sent transactions did not land")
    }

    @Test func multipleAccountsSplitsPastTheNodesLimitAndAnswersInOrder() async throws {
        let server = try await LocalChainServer.start()
        let client = try client(server)
        try await fund(client, payer.publicKey)
        // 150 keys: more than the 100 a node takes in one call.
        let keys = [payer.publicKey] + (0..<148).map { _ in Keypair.generate().publicKey } + [SystemProgram.programID]
        let accounts = try await client.multipleAccounts(keys, commitment: .processed)
        #expect(accounts.count == 150)
        let payerAccount = try #require(accounts[0])
        #expect(payerAccount.owner == SystemProgram.programID && payerAccount.lamports > 0 && !payerAccount.executable)
        #expect(payerAccount == (try await client.accountInfo(payer.publicKey, commitment: .processed)))
        #expect(accounts[1..<149].allSatisfy { $0 == nil })
        #expect(accounts[149]?.executable == true)
        #expect(try await client.multipleAccounts([payer.publicKey], commitment: .processed).first??.lamports == payerAccount.lamports)
        #expect(try await client.multipleAccounts([]).isEmpty)
    }

    @Test func latestBlockhashCarriesItsContextSlotAndTheHeightItLastsTo() async throws {
        let server = try await LocalChainServer.start()
        let client = try client(server)
        // Past the first slots, so that a context slot of 0 is a misread, not a quick test (a slot lasts 50 ms).
        let deadline = ContinuousClock.now + .seconds(30)
        while try await client.slot(commitment: .processed) < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(25)) }
        // The height before it and the slot after it: on a loaded machine a call can take seconds, and 50 ms slots pass.
        let height = try await client.blockHeight(commitment: .processed)
        let latest = try await client.latestBlockhash(commitment: .processed)
        let slot = try await client.slot(commitment: .processed)
        #expect(latest.contextSlot > 0 && latest.contextSlot <= slot)
        #expect(latest.lastValidBlockHeight > height)
    }
}

extension LocalChainServer {
    /// A socket on a free loopback port that listens (the kernel completes connections) but never accepts or answers.
    static func silentListener() throws -> (descriptor: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 && listen(fd, 16) == 0
            }
        }
        guard listening else {
            close(fd)
            throw CocoaError(.fileReadUnknown)
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
