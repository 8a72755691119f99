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

/// The worker with the local chain's PubSub endpoint: one subscription to the transactions that mention its payer (each
/// of its transactions does) tells it of each confirmation, so a job is marked confirmed as the chain confirms it,
/// though its status is polled only every hour; and the subscription costs one call, not one a job.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct TokenWorkerPubSubTests {
    static let logger = Logger(label: "TokenWorkerPubSubTests")
    let payer = try! Keypair(seed: [UInt8](repeating: 71, count: 32))
    let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 72, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 73, count: 32)).publicKey

    /// A worker on the chain's PubSub endpoint, polling its transactions' statuses every `statusPollInterval`, in a
    /// service group of its own (not yet running).
    func worker(
        _ id: String, statusPollInterval: Duration, client: PostgresClient, rpc: SolanaRPCClient, server: LocalChainServer
    ) throws -> ServiceGroup {
        let pubSub = try #require(PubSubEndpoint(url: server.webSocketURL.absoluteString))
        let service = TokenWorkerService(
            client: client, rpc: rpc,
            sender: SenderConfiguration(
                payer: payer, mintDerivation: derivation, rebroadcastInterval: .seconds(2), statusPollInterval: statusPollInterval,
                pubSub: pubSub),
            workerID: id, options: .init(maxInFlight: 8, lease: .seconds(30), pollInterval: .milliseconds(100)), logger: Self.logger)
        return ServiceGroup(services: [service], gracefulShutdownSignals: [], logger: Self.logger)
    }

    /// Statuses are polled every hour, and a transaction's blockhash expires (the other way a job learns its
    /// transaction landed) 150 slots after it was made, at least 48 s after the transaction was signed (the worker signs
    /// with a blockhash at most 30 slots old); so a job marked confirmed within 40 s of its enqueueing was marked so
    /// because a notification told the worker: that is what is asserted, whatever the machine's load. How soon, in slots after its transaction's confirmation, is measured and printed (docs/sender.md
    /// has the figures of an idle machine: every job in the slot of its confirmation). (Polled every 30 s with a bound
    /// of 25 slots, and before that every 10 s with 12, loaded CI runs set the lag, not the worker.)
    @Test func aJobIsMarkedConfirmedAsItsTransactionIsConfirmed() async throws {
        // Slots of 400 ms, as on mainnet.
        try await WorkerTestEnvironment.with(database: "flutterbye_pubsub_sender", fund: payer.publicKey, slotMs: 400) { client, rpc, server in
            let group = try worker("pubsub", statusPollInterval: .seconds(3_600), client: client, rpc: rpc, server: server)
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var lags: [Int] = []
                for index in 0..<10 {
                    let key = "pubsub-\(index)"
                    let enqueued = try await queue.enqueue(
                        TokenJobRequest(
                            idempotencyKey: key, tokenProgram: "token", decimals: 0, name: key, symbol: "PS", uri: "https://x/\(key)",
                            amount: "5", recipient: recipient.base58, memo: nil))
                    var chainSlot: UInt64?
                    var signature: Signature?
                    let deadline = ContinuousClock.now + .seconds(40)
                    while ContinuousClock.now < deadline {
                        let job = try await queue.job(id: enqueued.jobID)
                        if job.state == .confirmed || job.state == .finalized, let text = job.signature {
                            chainSlot = try await rpc.slot(commitment: .processed)
                            signature = try Signature(base58: text)
                            break
                        }
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    let confirmedBy = try #require(signature, "job \(key) was not confirmed within 40 s: no notification told the worker")
                    let status = try #require(try await rpc.signatureStatuses([confirmedBy], searchTransactionHistory: true).first ?? nil)
                    // Confirmed one slot after its own (confirm depth 1).
                    lags.append(Int(try #require(chainSlot)) - Int(status.slot) - 1)
                }
                lags.sort()
                let p95 = lags[Int((0.95 * Double(lags.count)).rounded(.up)) - 1]
                print("jobs confirmed after their transaction's confirmation, slots of 400 ms, sorted: \(lags); p95 \(p95)")
                // What the PubSub side cost: providers count each subscribe and unsubscribe as a call.
                let counters = try #require((try await server.controlState())["counters"] as? [String: Any])
                let requests = (counters["pubsub"] as? [String: Any])?["requests"] as? [String: Int] ?? [:]
                #expect(requests == ["logsSubscribe": 1], "one subscription for every job, not one a transaction: \(requests)")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
    /// Nothing is missed when PubSub fails: with the chain's PubSub endpoint silent (connections open, no
    /// notification), dropping every connection, then refusing new ones, every job is still confirmed (by its status
    /// polls, every 2 s here) with one successful transaction each; once the endpoint answers again the worker
    /// subscribes again.
    @Test func jobsAreConfirmedWhilePubSubIsSilentDroppedOrRefused() async throws {
        try await WorkerTestEnvironment.with(database: "flutterbye_pubsub_faults", fund: payer.publicKey) { client, rpc, server in
            let group = try worker("pubsub-faults", statusPollInterval: .seconds(2), client: client, rpc: rpc, server: server)
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let phases: [(name: String, control: [String: Any])] = [
                    ("silent", ["ws_silent": true]), ("dropped", ["ws_silent": false, "ws_drop": true]), ("refused", ["ws_refuse": true]),
                    ("back", ["ws_refuse": false]),
                ]
                var keys: [String] = []
                for phase in phases {
                    _ = try await server.control(phase.control)
                    for index in 0..<4 {
                        let key = "pubsub-\(phase.name)-\(index)"
                        keys.append(key)
                        _ = try await queue.enqueue(
                            TokenJobRequest(
                                idempotencyKey: key, tokenProgram: "token", decimals: 0, name: key, symbol: "PF", uri: "https://x/\(key)",
                                amount: "7", recipient: recipient.base58, memo: nil))
                    }
                    let deadline = ContinuousClock.now + .seconds(60)
                    var confirmed = 0
                    while ContinuousClock.now < deadline {
                        let counts = try await queue.countsByState()
                        confirmed = (counts[.confirmed] ?? 0) + (counts[.finalized] ?? 0)
                        if confirmed == keys.count { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(confirmed == keys.count, "PubSub \(phase.name): \(confirmed) of \(keys.count) jobs confirmed within 60 s")
                }
                for key in keys {
                    let mint = derivation.keypair(forJobKey: key).publicKey
                    let landed = try await rpc.signaturesForAddress(mint, commitment: .confirmed).filter { $0.error == nil || $0.error == .null }
                    #expect(landed.count == 1, "\(key): \(landed.count) successful transactions")
                }
                let counters = try #require((try await server.controlState())["counters"] as? [String: Any])
                let requests = (counters["pubsub"] as? [String: Any])?["requests"] as? [String: Int] ?? [:]
                #expect((requests["logsSubscribe"] ?? 0) >= 2, "subscribed again after the drop: \(requests)")
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
