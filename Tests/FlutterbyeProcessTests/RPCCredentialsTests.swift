import AsyncHTTPClient
import ChainTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import SolanaCore
import Testing

/// An RPC URL with a provider's secrets in all three places (`http://user:password@host:port/v2/KEY?api-key=K`),
/// against a local chain that asks for every one of them: `flutterbye config check` and `flutterbye run` work with
/// it, and none of the secrets reaches what they show: output, logs (at debug level), API answers (job errors
/// naming the endpoint, explorer links, `/readyz`, `/metrics`, `/v1/stats`).
@Suite(.enabled(if: WorkerTestEnvironment.isAvailable, "needs the Python venv and the test database: run Tests/run"), .serialized)
struct RPCCredentialsTests {
    static let token = "rpc-credentials-test-token-0123456789abcdef"
    static let credentials = LocalChainServer.Credentials(
        user: "rpcuser7", password: "s3cret-password-9f3c", pathKey: "KEY5d1e2a7c", apiKey: "apikey-77b0e1")
    let payer = try! Keypair(seed: [UInt8](repeating: 101, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 102, count: 32)).publicKey

    /// `text` holds none of the URL's secrets.
    static func expectNoSecret(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in credentials.secrets + [credentials.user] {
            #expect(!text.contains(secret), "\(what) shows \(secret):\n\(text)", sourceLocation: sourceLocation)
        }
    }

    /// One request to the status API: status and body text.
    func send(_ http: HTTPClient, _ method: HTTPMethod, _ url: String, body: String? = nil) async throws -> (status: Int, text: String) {
        try await StatusAPIRequest.send(http, method, url, token: Self.token, body: body)
    }

    /// `GET /readyz` until it answers `status` (it answers from checks the API runs every few seconds), at most 30 s.
    func readiness(_ http: HTTPClient, _ base: String, until status: Int) async throws -> (status: Int, text: String) {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let answer = try await send(http, .GET, base + "/readyz")
            if answer.status == status || ContinuousClock.now >= deadline { return answer }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    static func object(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    @Test func noSecretOfTheRPCURLIsShownAnywhere() async throws {
        let payer = self.payer
        let recipient = self.recipient
        try await WorkerTestEnvironment.with(database: "flutterbye_rpc_credentials_test", fund: payer.publicKey, credentials: Self.credentials) {
            _, _, server in
            let port = try #require(server.url.port)
            let shown = "http://127.0.0.1:\(port)"
            let mint = try Keypair(seed: [UInt8](repeating: 103, count: 32)).publicKey.base58
            // `config check`: the cluster is identified through the credentials, and only scheme, host and port show.
            let (status, output) = try await RunCommandTests.runFlutterbye(
                ["config", "check"],
                environment: [
                    "DATABASE_URL": try WorkerProcessLauncher.testDatabaseURL("flutterbye_rpc_credentials_test"),
                    "SOLANA_RPC_URL": server.url.absoluteString, "SOLANA_PRIVATE_KEY": Base58.encode(payer.exportSecretKey()),
                    "FLUTTERBYE_MASTER_SEED": String(repeating: "6b", count: 32), "FLBY_TOKEN_MINT": mint, "API_TOKEN": Self.token,
                ])
            #expect(status == 0 && output.contains("on custom") && output.contains(shown), "\(output)")
            Self.expectNoSecret(output, "config check")

            // `run`, logging at debug level.
            let launcher = try WorkerProcessLauncher(
                databaseURL: try WorkerProcessLauncher.testDatabaseURL("flutterbye_rpc_credentials_test"), rpcURL: server.url, payer: payer,
                masterSeedHex: String(repeating: "6b", count: 32),
                settings: [
                    "API_TOKEN": Self.token, "FLUTTERBYE_API_PORT": "0", "FLBY_TOKEN_MINT": mint, "FLUTTERBYE_LOG_LEVEL": "debug",
                    "FLUTTERBYE_INDEX_POLL_MILLISECONDS": "200",
                ],
                command: "run")
            let process = try launcher.start("run")
            defer { process.kill9() }
            let base = try await RunCommandTests().apiURL(process)
            // Then the chain answers every call with HTTP 503 for a while: the job records the transient failure (naming
            // the endpoint), /readyz names the RPC's failure, and the client logs its retries.
            _ = try await server.control(["rate_5xx": 1])
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            var answers: [(String, String)] = []
            do {
                let body = """
                    {"idempotency_key": "credentials-1", "token_program": "token", "decimals": 0, "name": "Secret", "symbol": "SEC",
                     "uri": "https://flutterbye.example/secret.json", "amount": "7", "recipient": "\(recipient.base58)"}
                    """
                let created = try await send(http, .POST, base + "/v1/jobs", body: body)
                #expect(created.status == 201, "\(created.text)")
                let id = try #require(Self.object(created.text)["id"] as? Int)
                // The job's first attempt fails on the 503s: its error names the endpoint.
                var job: [String: Any] = [:]
                var deadline = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < deadline {
                    let answer = try await send(http, .GET, base + "/v1/jobs/\(id)")
                    job = Self.object(answer.text)
                    if !((job["errors"] as? [Any]) ?? []).isEmpty {
                        answers.append(("GET /v1/jobs/\(id) with an error", answer.text))
                        break
                    }
                    try await Task.sleep(for: .milliseconds(200))
                }
                let errors = (job["errors"] as? [[String: Any]]) ?? []
                #expect(errors.contains { ($0["message"] as? String)?.contains("endpoint \(shown)") == true }, "\(job)\n\(process.tail())")
                let unready = try await readiness(http, base, until: 503)
                #expect(unready.status == 503, "\(unready.text)")
                answers.append(("GET /readyz while the RPC answers 503", unready.text))
                _ = try await server.control(["rate_5xx": 0])
                deadline = ContinuousClock.now + .seconds(90)
                while ContinuousClock.now < deadline {
                    job = Self.object(try await send(http, .GET, base + "/v1/jobs/\(id)").text)
                    if ["confirmed", "finalized"].contains(job["state"] as? String) { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(["confirmed", "finalized"].contains(job["state"] as? String), "\(job)\n\(process.tail())")
                let signature = try #require(job["signature"] as? String)
                let mintAddress = try #require(job["mint_address"] as? String)
                // A custom cluster's explorer links carry no RPC URL.
                #expect(job["explorer_url"] as? String == "https://explorer.solana.com/tx/\(signature)?cluster=custom")
                #expect(job["mint_explorer_url"] as? String == "https://explorer.solana.com/address/\(mintAddress)?cluster=custom")
                for path in ["/v1/jobs/\(id)", "/v1/jobs", "/readyz", "/v1/stats", "/v1/index", "/metrics"] {
                    let answer = path == "/readyz" ? try await readiness(http, base, until: 200) : try await send(http, .GET, base + path)
                    #expect(answer.status == 200, "\(path): \(answer.text)")
                    answers.append(("GET \(path)", answer.text))
                }
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
            #expect(await process.stopGracefully(), "\(process.tail())")
            let log = process.tail(1_000_000)
            #expect(log.contains(shown), "the log names the endpoint by scheme, host and port:\n\(log)")
            Self.expectNoSecret(log, "the log of flutterbye run")
            for (what, text) in answers { Self.expectNoSecret(text, what) }
        }
    }
}
