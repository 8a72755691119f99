import ChainTestSupport
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// The finalizer against real PostgreSQL and the local chain: confirmed jobs whose transactions never finalize do not
/// keep it from finalizing the others.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct JobFinalizerTests {
    static let logger = Logger(label: "JobFinalizerTests")
    static let recipient = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"

    static func request(_ key: String) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token", decimals: 0, name: "Final", symbol: "FIN", uri: "https://x/\(key)", amount: "1",
            recipient: recipient)
    }

    /// Puts `keys` in the confirmed state with `signatures`, through the queue's own steps; all of them are confirmed by
    /// one statement, so later calls confirm later. Their transactions are valid until `lastValidBlockHeight`.
    static func confirm(
        _ keys: [String], signatures: [String], lastValidBlockHeight: UInt64 = 1, queue: TokenJobQueue
    ) async throws -> [Int64] {
        for key in keys { _ = try await queue.enqueue(request(key)) }
        let claimed = try await queue.claim(workerID: "w", limit: keys.count, lease: .seconds(300))
        #expect(claimed.count == keys.count)
        let signatureOf = Dictionary(uniqueKeysWithValues: zip(keys.map { Array($0.utf8) }, signatures))
        var confirmations: [(lease: JobLease, signature: String)] = []
        for job in claimed {
            let lease = try #require(job.lease)
            let signature = try #require(signatureOf[Array(job.request.idempotencyKey.utf8)])
            try await queue.recordSubmission(
                TransactionSubmission(
                    lease: lease, mintAddress: recipient, signature: signature, rawTransaction: [1], lastValidBlockHeight: lastValidBlockHeight))
            confirmations.append((lease, signature))
        }
        #expect(try await queue.markConfirmed(confirmations).count == keys.count)
        return claimed.map(\.id)
    }

    /// 300 confirmed jobs: the oldest 256 carry signatures the chain never saw, valid for long (they will never
    /// finalize, and may still land, so they are not given back either), the 44 newer ones transactions the chain has
    /// finalized. The finalizer checks at most 256 jobs a pass; the newer ones must be finalized within two passes, and
    /// the others stay confirmed.
    @Test func jobsThatNeverFinalizeDoNotHoldBackTheOthers() async throws {
        try await WorkerTestEnvironment.with(database: "flutterbye_finalizer_test", fund: nil) { client, rpc, _ in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            let unknown = (0..<256).map { _ in
                (try! Signature(bytes: (0..<64).map { _ in UInt8.random(in: 0...255) })).base58
            }
            let stuck = try await Self.confirm(
                (0..<256).map { "stuck-\($0)" }, signatures: unknown, lastValidBlockHeight: 1 << 40, queue: queue)

            // Real transactions: airdrops to keys of their own.
            var landed: [Signature] = []
            for index in 0..<44 {
                let wallet = try Keypair(seed: [UInt8](repeating: UInt8(100 + index), count: 32)).publicKey
                landed.append(
                    try Signature(base58: try await rpc.call("requestAirdrop", [.string(wallet.base58), .uint(1_000_000)], as: String.self)))
            }
            let finalizable = try await Self.confirm((0..<44).map { "final-\($0)" }, signatures: landed.map(\.base58), queue: queue)
            for _ in 0..<400 {
                let statuses = try await rpc.signatureStatuses(landed)
                if statuses.allSatisfy({ $0?.confirmationStatus == .finalized }) { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(try await rpc.signatureStatuses(landed).allSatisfy { $0?.confirmationStatus == .finalized }, "the chain finalized the airdrops")

            let finalizer = JobFinalizer(queue: queue, rpc: rpc, logger: Self.logger)
            var finalized = 0
            for _ in 0..<2 { finalized += try await finalizer.finalizeConfirmedJobs().finalized }
            #expect(finalized == 44)
            for id in finalizable { #expect(try await queue.job(id: id).state == .finalized, "job \(id)") }
            for id in stuck { #expect(try await queue.job(id: id).state == .confirmed, "job \(id)") }
            // The stuck jobs are still looked at, in turn.
            #expect(try await finalizer.finalizeConfirmedJobs() == JobFinalizer.Pass(checked: 256, finalized: 0, reopened: 0, lookedCloser: true))
            #expect(try await queue.countsByState() == [.confirmed: 256, .finalized: 44])
        }
    }

    /// 300 jobs confirmed at once, all finalized on chain: one maintenance round finalizes them all (two passes of at
    /// most 256), where one pass a round left 44 for the next, and a worker confirming more than 256 jobs per
    /// maintenance interval fell behind for good. Jobs that never finalize stop the passes at the first.
    @Test func aRoundFinalizesMoreThanOnePassHolds() async throws {
        try await WorkerTestEnvironment.with(database: "flutterbye_finalizer_round_test", fund: nil) { client, rpc, _ in
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            var landed: [Signature] = []
            for index in 0..<300 {
                let wallet = try Keypair(seed: [UInt8](repeating: UInt8(index % 250), count: 31) + [UInt8(index / 250 + 1)]).publicKey
                landed.append(
                    try Signature(base58: try await rpc.call("requestAirdrop", [.string(wallet.base58), .uint(1_000_000)], as: String.self)))
            }
            _ = try await Self.confirm((0..<300).map { "round-\($0)" }, signatures: landed.map(\.base58), queue: queue)
            for _ in 0..<400 {
                if try await rpc.signatureStatuses(landed).allSatisfy({ $0?.confirmationStatus == .finalized }) { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            let finalizer = JobFinalizer(queue: queue, rpc: rpc, logger: Self.logger)
            let round = try await finalizer.finalizeConfirmedJobsWhileFull()
            #expect(round.finalized == 300 && round.checked == 300, "\(round)")
            #expect(try await queue.countsByState() == [.finalized: 300])

            let stuck = (0..<256).map { _ in (try! Signature(bytes: (0..<64).map { _ in UInt8.random(in: 0...255) })).base58 }
            _ = try await Self.confirm((0..<256).map { "stuck-\($0)" }, signatures: stuck, lastValidBlockHeight: 1 << 40, queue: queue)
            #expect(try await finalizer.finalizeConfirmedJobsWhileFull().checked == 256, "one pass: none of them finalized")
        }
    }
}
