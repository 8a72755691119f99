import ChainTestSupport
import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// The `flutterbye worker` process killed with SIGKILL at random moments while jobs run, and restarted: at the end
/// every job is confirmed and exactly one mint exists per job.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct WorkerCrashTests {
    static let logger = Logger(label: "WorkerCrashTests")
    static let masterSeedHex = String(repeating: "5e", count: 32)
    let payer = try! Keypair(seed: [UInt8](repeating: 71, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 72, count: 32)).publicKey

    @Test func killedWorkersNeverCreateASecondTokenOrLoseAJob() async throws {
        let jobCount = 100
        let kills = 20
        let payer = self.payer
        let recipient = self.recipient
        try await WorkerTestEnvironment.with(database: "flutterbye_crash_test", fund: payer.publicKey) { client, rpc, server in
            _ = try await server.control(["drop_rate": 0.2])
            let queue = TokenJobQueue(client: client, logger: Self.logger)
            for i in 0..<jobCount {
                _ = try await queue.enqueue(
                    TokenJobRequest(
                        idempotencyKey: "crash-\(i)", tokenProgram: i % 2 == 0 ? "token" : "token-2022", decimals: 1, name: "Crash \(i)",
                        symbol: "CR", uri: "https://x/\(i)", amount: "\(100 + i)", recipient: recipient.base58))
            }
            let launcher = try WorkerProcessLauncher(
                databaseURL: try WorkerProcessLauncher.testDatabaseURL("flutterbye_crash_test"), rpcURL: server.url, payer: payer,
                masterSeedHex: Self.masterSeedHex,
                settings: ["FLUTTERBYE_JOB_LEASE_SECONDS": "5", "FLUTTERBYE_MAX_IN_FLIGHT": "24"])

            /// How many jobs `id` holds that have not been confirmed.
            func inFlight(_ id: String) async throws -> Int {
                let query: PostgresQuery =
                    "SELECT count(*)::int8 FROM flutterbye.token_jobs WHERE attempted_by = \(id) AND state IN ('running', 'submitted')"
                for try await (count, ) in try await client.query(query, logger: Self.logger).decode((Int,).self) { return count }
                return 0
            }
            var generator = SystemRandomNumberGenerator()
            for number in 0..<kills {
                let id = "crash-worker-\(number)"
                let worker = try launcher.start(id)
                if number % 2 == 0 {
                    // Killed at a random moment: starting, claiming, sending or idle.
                    try await Task.sleep(for: .milliseconds(Int.random(in: 150...900, using: &generator)))
                } else {
                    // Killed while it holds jobs it has not seen confirmed (on a fast chain a random moment can miss
                    // them all): those are interrupted for certain, and rescued when their leases expire.
                    let deadline = ContinuousClock.now + .seconds(5)
                    while try await inFlight(id) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
                }
                worker.kill9()
            }
            _ = try await server.control(["drop_rate": 0.0])
            let survivor = try launcher.start("crash-worker-\(kills)")
            defer { survivor.kill9() }
            // SIGTERM is handled once the process runs its service group: not before it says it is starting.
            let started = ContinuousClock.now + .seconds(30)
            while !survivor.tail(1_000).contains("starting"), ContinuousClock.now < started { try await Task.sleep(for: .milliseconds(50)) }
            var counts: [TokenJobState: Int] = [:]
            for _ in 0..<900 {
                counts = try await queue.countsByState()
                if (counts[.confirmed] ?? 0) + (counts[.finalized] ?? 0) == jobCount { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect((counts[.confirmed] ?? 0) + (counts[.finalized] ?? 0) == jobCount, "\(counts)\n\(survivor.tail())")
            #expect(await survivor.stopGracefully(), "graceful stop on SIGTERM:\n\(survivor.tail())")

            let derivation = try JobKeyDerivation(masterSeed: [UInt8](repeating: 0x5e, count: 32))
            var interrupted = 0
            for i in 0..<jobCount {
                let mint = derivation.keypair(forJobKey: "crash-\(i)").publicKey
                let history = try await rpc.signaturesForAddress(mint, commitment: .confirmed)
                let landed = history.filter { $0.error == nil || $0.error == .null }
                #expect(landed.count == 1, "crash-\(i): \(landed.count) successful transactions")
                let job = try #require(try await queue.job(idempotencyKey: "crash-\(i)"))
                #expect(job.signature == landed.first?.signature.base58, "crash-\(i): the stored signature is the one that landed")
                if job.errors.contains(where: { $0.errorClass == "lease_expired" }) { interrupted += 1 }
                let account = try #require(try await rpc.accountInfo(mint, commitment: .processed))
                #expect(try TokenMintState(data: account.data).supply == UInt64(100 + i))
            }
            #expect(interrupted > 0, "the kills interrupted claimed jobs, which were rescued")
        }
    }
}
