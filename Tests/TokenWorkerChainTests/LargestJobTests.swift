import ChainTestSupport
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// The largest jobs the queue accepts are sent: a worker with a mint authority of its own (the largest transactions a
/// worker builds) lands Token-2022 jobs whose transactions are exactly 1232 bytes, through the local chain's RPC, which
/// refuses anything larger as a node does. (That the queue refuses one byte more: TransactionSizeRuleTests.)
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct LargestJobTests {
    static let logger = Logger(label: "LargestJobTests")
    let payer = try! Keypair(seed: [UInt8](repeating: 91, count: 32))
    let authority = try! Keypair(seed: [UInt8](repeating: 92, count: 32))
    let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 93, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 94, count: 32)).publicKey

    /// A Token-2022 job with `metadata` bytes of name, symbol and uri, and the longest memo that leaves its transaction
    /// within the limit.
    func largestJob(_ key: String, metadata: Int) throws -> TokenJobRequest {
        let name = String(repeating: "n", count: min(32, metadata))
        let symbol = String(repeating: "s", count: min(10, metadata - name.utf8.count))
        let uri = String(repeating: "u", count: metadata - name.utf8.count - symbol.utf8.count)
        var memo = 500
        while try TokenCreationSize.largest(program: .token2022, name: name, symbol: symbol, uri: uri, memo: String(repeating: "m", count: memo))
            > TokenCreationSize.limit
        {
            memo -= 1
        }
        return TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token-2022", decimals: 2, name: name, symbol: symbol, uri: uri, amount: "4200",
            recipient: recipient.base58, memo: String(repeating: "m", count: memo))
    }

    @Test func theLargestJobsTheQueueAcceptsLand() async throws {
        let payer = self.payer
        let authority = self.authority
        let derivation = self.derivation
        try await WorkerTestEnvironment.with(database: "flutterbye_largest_test", fund: payer.publicKey) { client, rpc, _ in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            // Metadata at its largest (242 bytes: the memo's bucket grows past the limit), and in the middle of its bucket
            // (193 bytes: the metadata's bucket grows past it).
            let jobs = [try largestJob("largest-242", metadata: 242), try largestJob("largest-193", metadata: 193)]
            var enqueued: [Int64] = []
            for job in jobs { enqueued.append(try await queue.enqueue(job).jobID) }
            let ids = enqueued
            let service = ChainTestWorker.service(
                client: client, rpc: rpc, sender: ChainTestWorker.sender(payer: payer, mintAuthority: authority, derivation: derivation),
                workerID: "w1", maxInFlight: 4, logger: Self.logger)
            try await ServiceRun.running([service], logger: Self.logger) {
                for id in ids {
                    let job = try await queue.finishedJob(id, patience: .seconds(120))
                    #expect(
                        job.state == .confirmed || job.state == .finalized, "\(job.request.idempotencyKey): \(job.state) \(job.errors.map(\.message))"
                    )
                }
            }
            for (id, request) in zip(ids, jobs) {
                let job = try await queue.job(id: id)
                let signature = try Signature(base58: try #require(job.signature))
                let landed = try #require(try await rpc.transaction(signature, commitment: .confirmed), "\(request.idempotencyKey) landed")
                #expect(landed.meta.error == nil)
                #expect(landed.transaction.serialized().count == job.rawTransaction?.count)
                if request.idempotencyKey == "largest-242" {
                    #expect(job.rawTransaction?.count == TokenCreationSize.limit, "the transaction sent is exactly the limit")
                }
                let mint = derivation.keypair(forJobKey: request.idempotencyKey).publicKey
                let account = try #require(try await rpc.accountInfo(mint, commitment: .confirmed))
                let metadata = try #require(try TokenMetadataState(mintData: account.data))
                #expect(metadata.name == request.name && metadata.symbol == request.symbol && metadata.uri == request.uri)
                #expect(try TokenMintState(data: account.data).supply == 4200)
            }
        }
    }
}
