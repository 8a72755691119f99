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

/// A job whose transaction landed but was never marked confirmed (its worker died), resumed once the node's ledger no
/// longer reaches back to that transaction (a worker down for days, an endpoint that keeps no transaction history).
/// The node shows the job's mint, not which transaction created it. The job must not be failed as having created
/// nothing: the backend would enqueue the token again and get a second one. Real PostgreSQL, the local chain.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct PrunedHistoryTests {
    static let logger = Logger(label: "PrunedHistoryTests")
    let payer = try! Keypair(seed: [UInt8](repeating: 141, count: 32))
    let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 142, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 143, count: 32)).publicKey

    func service(_ client: PostgresClient, _ rpc: SolanaRPCClient) -> TokenWorkerService {
        ChainTestWorker.service(
            client: client, rpc: rpc, sender: ChainTestWorker.sender(payer: payer, derivation: derivation), workerID: "pruned",
            maxInFlight: 4, logger: Self.logger)
    }

    @Test func aResumedJobWhoseTransactionTheNodeNoLongerKeepsIsNotFailed() async throws {
        try await resumeOnAPrunedNode(key: "pruned", justStartedFromASnapshot: false)
    }

    /// A node just started from a snapshot has a single root, and Agave's `getFirstAvailableBlock` then answers 0
    /// (its blockstore finds no second root and answers the default), as if the node kept every block since genesis:
    /// its "none of the job's transactions" must not fail the job either.
    @Test func aNodeJustStartedFromASnapshotIsNotTakenForOneWithTheWholeHistory() async throws {
        try await resumeOnAPrunedNode(key: "snapshot", justStartedFromASnapshot: true)
    }

    /// A job whose transaction landed, left by its dead worker unconfirmed, resumed on a node whose ledger now starts
    /// after that transaction, or that has just started from a snapshot taken after it.
    func resumeOnAPrunedNode(key: String, justStartedFromASnapshot: Bool) async throws {
        try await WorkerTestEnvironment.with(database: "flutterbye_pruned_history_test", fund: payer.publicKey) { client, rpc, server in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let request = TokenJobRequest(
                idempotencyKey: key, tokenProgram: "token", decimals: 4, name: "Pruned", symbol: "PRN", uri: "https://x/pruned",
                amount: "9090", recipient: recipient.base58)
            let id = try await queue.enqueue(request).jobID
            try await ServiceRun.running([service(client, rpc)], logger: Self.logger) {
                let job = try await queue.finishedJob(id, patience: .seconds(60))
                #expect([.confirmed, .finalized].contains(job.state), "\(job.state) \(job.errors)")
            }
            let landed = try await queue.job(id: id)
            let signature = try Signature(base58: try #require(landed.signature))
            let mint = derivation.keypair(forJobKey: key).publicKey
            #expect(try TokenMintState(data: try #require(try await rpc.accountInfo(mint)).data).supply == 9090)

            // What the rescuer leaves of a job whose worker died after its transaction landed: retryable, its
            // transactions stored, not confirmed.
            _ = try await client.query(
                """
                UPDATE flutterbye.token_jobs SET state = 'retryable', scheduled_at = now(), attempted_by = NULL, lease_expires_at = NULL,
                    confirmed_at = NULL, finalized_at = NULL, finished_at = NULL
                WHERE id = \(id)
                """)
            // The node's ledger now starts after the transaction, and its blockhash is long past.
            let lastValid = try #require(landed.lastValidBlockHeight)
            while try await rpc.blockHeight() <= lastValid + 5 {
                _ = try await server.control(["advance_slots": 40])
            }
            let ledgerStart = Int(try await rpc.slot(commitment: .finalized))
            _ = try await server.control(["first_available_block": ledgerStart, "snapshot_start": justStartedFromASnapshot])
            #expect(try await rpc.signatureStatuses([signature], searchTransactionHistory: true) == [nil], "the node no longer knows it")

            try await ServiceRun.running([service(client, rpc)], logger: Self.logger) {
                var resumed = try await queue.job(id: id)
                let deadline = ContinuousClock.now + .seconds(90)
                while resumed.state != .failed && resumed.errors.count == landed.errors.count && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                    resumed = try await queue.job(id: id)
                }
            }
            let resumed = try await queue.job(id: id)
            #expect(resumed.state == .retryable, "\(resumed.state) \(resumed.errors)")
            let error = try #require(resumed.errors.last)
            #expect(error.errorClass == "mint_unattributable", "\(error)")
            #expect(error.message.contains(mint.base58) && error.message.contains("SOLANA_RPC_URL"), "\(error.message)")
            let scheduled = try await client.query("SELECT scheduled_at > now() + interval '1 minute' FROM flutterbye.token_jobs WHERE id = \(id)")
            #expect(try await scheduled.collect().first?.decode(Bool.self) == true, "it waits for an operator's node, not a tight loop")
            #expect(try TokenMintState(data: try #require(try await rpc.accountInfo(mint)).data).supply == 9090, "one token, untouched")
        }
    }
}
