import AsyncHTTPClient
import ChainTestSupport
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import NIOHTTP1
import SolanaCore
import SolanaRPC
import Testing

/// What `flutterbye run` exports at `/metrics` for the alerts in `ops/prometheus/alerts.yml`: the payer's balance in
/// lamports, equal to what the chain reports, and each failed job counted by its error class.
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct MetricsExportTests {
    static let token = "metrics-export-test-token-0123456789abcdef"
    let payer = try! Keypair(seed: [UInt8](repeating: 101, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 102, count: 32)).publicKey

    /// The value of the sample `series` (name and labels as printed) in `text`, if there is one.
    static func sample(_ series: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    @Test func aPayerTooPoorForAJobShowsItsBalanceAndTheJobsFailureByClass() async throws {
        let payer = self.payer
        let recipient = self.recipient
        try await WorkerTestEnvironment.with(database: "flutterbye_metrics_test", fund: nil) { client, rpc, server in
            // Less than a mint account's rent: every job fails with insufficient_funds.
            let funded: UInt64 = 1_000_000
            _ = try await rpc.call("requestAirdrop", [.string(payer.publicKey.base58), .uint(funded)], as: String.self)
            let fundedDeadline = ContinuousClock.now + .seconds(20)
            while try await rpc.balance(payer.publicKey) != funded && ContinuousClock.now < fundedDeadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let launcher = try WorkerProcessLauncher(
                databaseURL: try WorkerProcessLauncher.testDatabaseURL("flutterbye_metrics_test"), rpcURL: server.url, payer: payer,
                masterSeedHex: String(repeating: "5d", count: 32),
                settings: ["API_TOKEN": Self.token, "FLUTTERBYE_API_PORT": "0"], command: "run")
            launcher.arguments = ["--no-indexer"]
            let process = try launcher.start("metrics")
            defer { process.kill9() }
            let base = try await RunCommandTests().apiURL(process)
            let queue = TokenJobQueue(client: client, logger: WorkerTestEnvironment.logger)
            let id = try await queue.enqueue(
                TokenJobRequest(
                    idempotencyKey: "too-poor", tokenProgram: "token", decimals: 0, name: "Poor", symbol: "POOR",
                    uri: "https://flutterbye.example/poor.json", amount: "1", recipient: recipient.base58)
            ).jobID
            var job = try await queue.job(id: id)
            let deadline = ContinuousClock.now + .seconds(60)
            while !job.state.isFinished && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                job = try await queue.job(id: id)
            }
            #expect(job.state == .failed && job.errors.last?.errorClass == "insufficient_funds", "\(job.state) \(job.errors)\n\(process.tail())")
            // The chain's own figure, after the failure (a refused transaction costs nothing).
            let lamports = try await rpc.balance(payer.publicKey)
            let failures = "flutterbye_job_failures_total{error_class=\"insufficient_funds\",outcome=\"failed\"}"
            var text = ""
            let metricsDeadline = ContinuousClock.now + .seconds(30)
            repeat {
                text = try await StatusAPIRequest.send(HTTPClient.shared, .GET, base + "/metrics", token: Self.token).text
                if Self.sample(failures, in: text) != nil { break }
                try await Task.sleep(for: .milliseconds(200))
            } while ContinuousClock.now < metricsDeadline
            #expect(Self.sample(failures, in: text) == 1, "\(text)")
            #expect(Self.sample("flutterbye_payer_balance_lamports", in: text) == Double(lamports), "chain: \(lamports)\n\(text)")
            #expect(lamports == funded)
            #expect(await process.stopGracefully(), "\(process.tail())")
        }
    }
}
