import ChainTestSupport
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// Jobs enqueued with the issuer's choices by the backend's statement (`enqueue_token_job`), created by the worker on
/// the local chain in their one transaction, and read back from the mint accounts by the independent Python reader:
/// a revoked mint authority (fixed supply), one handed to an address, freeze authorities, and Token-2022 metadata with
/// its update authority and additional fields.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct IssuerChoicesWorkerTests {
    static let logger = Logger(label: "IssuerChoicesWorkerTests")
    let payer = try! Keypair(seed: [UInt8](repeating: 101, count: 32))
    let authority = try! Keypair(seed: [UInt8](repeating: 102, count: 32))
    let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 103, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 104, count: 32)).publicKey
    static let escrow = try! Keypair(seed: [UInt8](repeating: 105, count: 32)).publicKey
    static let freezer = try! Keypair(seed: [UInt8](repeating: 106, count: 32)).publicKey

    /// One job: its key, program and amount, and the choices as SQL arguments (null: left out).
    struct Job: Sendable {
        var key: String
        var program: String
        var amount: Int
        var mintAuthority: String?
        var freezeAuthority: String?
        var metadataUpdateAuthority: String?
        var additionalMetadata: String?
    }

    static let jobs = [
        Job(key: "revoke-classic", program: "token", amount: 1_000_000, mintAuthority: "revoke"),
        Job(key: "revoke-2022", program: "token-2022", amount: 2_000_000, mintAuthority: "revoke", freezeAuthority: "ours"),
        Job(key: "hand-off", program: "token", amount: 3, mintAuthority: escrow.base58, freezeAuthority: freezer.base58),
        Job(
            key: "metadata", program: "token-2022", amount: 4, mintAuthority: escrow.base58, metadataUpdateAuthority: "none",
            additionalMetadata: #"[["website", "https://flutterbye.example"], ["twitter", "@flutterbye"]]"#),
        Job(key: "curated", program: "token-2022", amount: 5, metadataUpdateAuthority: freezer.base58, additionalMetadata: #"[["k", "v"]]"#),
        Job(key: "standard", program: "token-2022", amount: 6),
    ]

    @Test func eachChoiceIsOnChainAfterTheJobsOneTransaction() async throws {
        let payer = self.payer
        let authority = self.authority
        let derivation = self.derivation
        let recipient = self.recipient
        try await WorkerTestEnvironment.with(database: "flutterbye_choices_test", fund: payer.publicKey) { client, rpc, _ in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            var ids: [Int64] = []
            for job in Self.jobs {
                let rows = try await client.query(
                    """
                    SELECT job_id FROM flutterbye.enqueue_token_job(
                        idempotency_key => \(job.key), token_program => \(job.program), decimals => 2, name => 'Choice',
                        symbol => 'CHO', uri => 'https://flutterbye.example/choice.json', amount => \(String(job.amount)),
                        recipient => \(recipient.base58), memo => \(job.key), mint_authority => \(job.mintAuthority),
                        freeze_authority => \(job.freezeAuthority), metadata_update_authority => \(job.metadataUpdateAuthority),
                        additional_metadata => \(job.additionalMetadata)::jsonb)
                    """, logger: Self.logger)
                for try await (id, ) in rows.decode((Int64,).self) { ids.append(id) }
            }
            #expect(ids.count == Self.jobs.count)
            let service = ChainTestWorker.service(
                client: client, rpc: rpc, sender: ChainTestWorker.sender(payer: payer, mintAuthority: authority, derivation: derivation),
                workerID: "w1", maxInFlight: 8, logger: Self.logger)
            let finished = ids
            try await ServiceRun.running([service], logger: Self.logger) {
                for id in finished {
                    let job = try await queue.finishedJob(id, patience: .seconds(120))
                    #expect(
                        job.state == .confirmed || job.state == .finalized, "\(job.request.idempotencyKey): \(job.state) \(job.errors.map(\.message))"
                    )
                }
            }
            var mints: [String: IndependentMint] = [:]
            for (id, job) in zip(ids, Self.jobs) {
                let stored = try await queue.job(id: id)
                let mint = derivation.keypair(forJobKey: job.key).publicKey
                #expect(stored.mintAddress == mint.base58)
                let signature = try Signature(base58: try #require(stored.signature))
                let landed = try #require(try await rpc.transaction(signature, commitment: .confirmed))
                #expect(landed.meta.error == nil && landed.transaction.signatures.count == 3, "one transaction: payer, mint, mint authority")
                let account = try #require(try await rpc.accountInfo(mint, commitment: .confirmed), "\(job.key)'s mint")
                mints[job.key] = try await IndependentMint.read(account.data)
                #expect(mints[job.key]?.supply == UInt64(job.amount), "\(job.key): the supply is the amount minted")
            }
            let ours = authority.publicKey.base58
            #expect(mints["revoke-classic"]?.mintAuthority == nil && mints["revoke-classic"]?.freezeAuthority == nil)
            #expect(mints["revoke-2022"]?.mintAuthority == nil && mints["revoke-2022"]?.freezeAuthority == ours)
            #expect(mints["hand-off"]?.mintAuthority == Self.escrow.base58 && mints["hand-off"]?.freezeAuthority == Self.freezer.base58)
            let metadata = try #require(mints["metadata"]?.metadata)
            #expect(mints["metadata"]?.mintAuthority == Self.escrow.base58)
            #expect(metadata.updateAuthority == nil && metadata.name == "Choice" && metadata.symbol == "CHO")
            #expect(metadata.additionalMetadata == [["website", "https://flutterbye.example"], ["twitter", "@flutterbye"]])
            #expect(mints["curated"]?.metadata?.updateAuthority == Self.freezer.base58)
            #expect(mints["curated"]?.metadata?.additionalMetadata == [["k", "v"]] && mints["curated"]?.mintAuthority == ours)
            let standard = try #require(mints["standard"])
            #expect(standard.mintAuthority == ours && standard.freezeAuthority == nil && standard.metadata?.updateAuthority == ours)
            #expect(standard.metadata?.additionalMetadata == [])
        }
    }
}
