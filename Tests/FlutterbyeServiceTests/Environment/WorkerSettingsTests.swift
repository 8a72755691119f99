import FlutterbyeService
import FlutterbyeStore
import Foundation
import Logging
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// Configuration from the environment: defaults, every problem reported at once, secrets never echoed.
@Suite struct WorkerSettingsTests {
    static let payer = try! Keypair(seed: [UInt8](repeating: 51, count: 32))
    static let authority = try! Keypair(seed: [UInt8](repeating: 52, count: 32))
    static let seedHex = String(repeating: "ab", count: 32)

    static let complete: [String: String] = [
        "DATABASE_URL": "postgres://worker:pw@db:5432/flutterbye",
        "SOLANA_RPC_URL": "https://rpc-a.example/?api-key=k1, https://rpc-b.example",
        "SOLANA_PRIVATE_KEY": Base58.encode(payer.exportSecretKey()),
        "FLUTTERBYE_MASTER_SEED": seedHex,
    ]

    static func json(_ keypair: Keypair) -> String { "[" + keypair.exportSecretKey().map(String.init).joined(separator: ",") + "]" }

    @Test func aCompleteEnvironmentGivesSettingsWithDefaults() throws {
        let settings = try WorkerSettings(environment: ServiceEnvironment(Self.complete))
        #expect(settings.database.host == "db")
        #expect(settings.endpoints == [RPCEndpoint(url: "https://rpc-a.example/?api-key=k1"), RPCEndpoint(url: "https://rpc-b.example")])
        #expect(settings.sender.payer.publicKey == Self.payer.publicKey)
        #expect(settings.sender.mintAuthority.publicKey == Self.payer.publicKey, "the payer is the default mint authority")
        #expect(settings.maxInFlight == 512)
        #expect(settings.sender.requestsPerSecond == nil)
        #expect(settings.sender.policy.priorityFeePercentile == 75)
        #expect(settings.lease == .seconds(60))
        #expect(settings.retention == .seconds(7 * 24 * 3600))
        #expect(!settings.sender.metaplexMetadata)
        #expect(settings.logLevel == .info)
    }

    /// `SOLANA_WS_URL`: by default the first RPC URL's PubSub endpoint (wss for https), a ws or wss URL as given, `off`
    /// for polling only, and anything else refused without being shown (a provider's key may be in it).
    @Test func thePubSubEndpointIsDerivedGivenOrOff() throws {
        func pubSub(_ value: String?) throws -> PubSubEndpoint? {
            var environment = Self.complete
            environment["SOLANA_WS_URL"] = value
            return try WorkerSettings(environment: ServiceEnvironment(environment)).sender.pubSub
        }
        #expect(try pubSub(nil) == PubSubEndpoint(url: "wss://rpc-a.example/?api-key=k1"))
        #expect(try pubSub("wss://ws.example:8900/?api-key=ws-key-1234") == PubSubEndpoint(url: "wss://ws.example:8900/?api-key=ws-key-1234"))
        #expect(try pubSub("off") == nil)
        #expect(try pubSub("OFF") == nil)
        for refused in ["https://ws.example/?api-key=ws-key-1234", "ws-key-1234", "wss://"] {
            do {
                _ = try pubSub(refused)
                Issue.record("SOLANA_WS_URL=\(refused) should be refused")
            } catch {
                #expect("\(error)".contains("SOLANA_WS_URL"), "\(error)")
                #expect(!"\(error)".contains("ws-key-1234"), "the value is never shown: \(error)")
            }
        }
    }

    /// A port outside 1...65535 in SOLANA_RPC_URL (any of its URLs: a failover endpoint was found out only when the
    /// worker failed over to it, by a trap) or SOLANA_WS_URL is refused when read, naming the variable, never the key.
    @Test(arguments: [
        ("SOLANA_RPC_URL", "http://127.0.0.1:38123,http://127.0.0.1:99999/?api-key=key-1234"),
        ("SOLANA_RPC_URL", "http://[::1]:65536"),
        ("SOLANA_RPC_URL", "https://rpc.example.com:0/?api-key=key-1234"),
        ("SOLANA_WS_URL", "ws://127.0.0.1:99999/?api-key=key-1234"),
        ("SOLANA_WS_URL", "wss://user:key-1234@rpc.example.com:65536"),
    ])
    func aPortOutsideOneTo65535IsRefused(_ name: String, _ value: String) {
        var environment = Self.complete
        environment[name] = value
        do {
            _ = try WorkerSettings(environment: ServiceEnvironment(environment))
            Issue.record("\(name)=\(value) should be refused")
        } catch {
            #expect(error.problems.count == 1, "\(error)")
            #expect(error.description.contains(name) && error.description.contains("1...65535"), "\(error)")
            #expect(!error.description.contains("key-1234"), "\(error)")
        }
    }

    @Test func keypairFilesAndOptionalSettingsAreRead() throws {
        var environment = Self.complete
        environment["SOLANA_PRIVATE_KEY"] = nil
        environment["SOLANA_KEYPAIR_PATH"] = "/keys/payer.json"
        environment["FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH"] = "/keys/authority.json"
        environment["FLUTTERBYE_MAX_IN_FLIGHT"] = "3"
        environment["FLUTTERBYE_METAPLEX_METADATA"] = "true"
        environment["SOLANA_RPC_REQUESTS_PER_SECOND"] = "25"
        environment["FLUTTERBYE_LOG_LEVEL"] = "Debug"
        let files = ["/keys/payer.json": Self.json(Self.payer), "/keys/authority.json": Self.json(Self.authority)]
        let settings = try WorkerSettings(environment: ServiceEnvironment(environment)) { path in
            guard let text = files[path] else { throw CocoaError(.fileNoSuchFile) }
            return text
        }
        #expect(settings.sender.payer.publicKey == Self.payer.publicKey)
        #expect(settings.sender.mintAuthority.publicKey == Self.authority.publicKey)
        #expect(settings.maxInFlight == 3)
        #expect(settings.sender.metaplexMetadata)
        #expect(settings.endpoints.allSatisfy { $0.requestsPerSecond == 25 })
        #expect(settings.sender.requestsPerSecond == 25, "the sender paces its polls under the limit")
        #expect(settings.logLevel == .debug)
    }

    /// MAINNET_MINT_AUTHORITY, the seeds' name: a base58 secret key, a [..] JSON array, or a keypair file's path;
    /// not beside FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH; a bad one is refused without showing it.
    @Test func theMainnetMintAuthorityIsReadInEachForm() throws {
        let files = ["/keys/authority.json": Self.json(Self.authority)]
        func settings(_ value: String) throws -> WorkerSettings {
            var environment = Self.complete
            environment["MAINNET_MINT_AUTHORITY"] = value
            return try WorkerSettings(environment: ServiceEnvironment(environment)) { path in
                guard let text = files[path] else { throw CocoaError(.fileNoSuchFile) }
                return text
            }
        }
        for form in [Base58.encode(Self.authority.exportSecretKey()), Self.json(Self.authority), "/keys/authority.json"] {
            #expect(try settings(form).sender.mintAuthority.publicKey == Self.authority.publicKey, "\(form.prefix(4))…")
            #expect(try settings(form).sender.payer.publicKey == Self.payer.publicKey)
        }
        let secret = Base58.encode(Self.authority.exportSecretKey())
        for bad in [String(secret.dropLast(3)), "/keys/missing.json", "[1,2,3]"] {
            do {
                _ = try settings(bad)
                Issue.record("\(bad) should be refused")
            } catch {
                #expect("\(error)".contains("MAINNET_MINT_AUTHORITY"), "\(error)")
                #expect(!"\(error)".contains(secret.prefix(20)), "never shows the key")
            }
        }
        var both = Self.complete
        both["MAINNET_MINT_AUTHORITY"] = secret
        both["FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH"] = "/keys/authority.json"
        #expect(throws: ConfigurationError.self) { try WorkerSettings(environment: ServiceEnvironment(both)) { _ in Self.json(Self.authority) } }
    }

    /// A keypair path that names no small regular file is refused with its reason: /dev/zero was said to be a
    /// permission problem (as root), a directory was "NSCocoaErrorDomain error 256".
    @Test(arguments: ["SOLANA_KEYPAIR_PATH", "FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH"])
    func aKeypairPathThatIsNoSmallRegularFileIsRefused(_ name: String) {
        for (path, reason) in [("/dev/zero", "a character device"), ("/tmp", "a directory")] {
            var environment = Self.complete
            if name == "SOLANA_KEYPAIR_PATH" { environment["SOLANA_PRIVATE_KEY"] = nil }
            environment[name] = path
            #expect {
                try WorkerSettings(environment: ServiceEnvironment(environment))
            } throws: { error in
                "\(error)".contains("\(name): cannot read the keypair file: \(path) is not a regular file (\(reason))")
            }
        }
    }

    /// A secret key put where a keypair file's path belongs is not a path: the refusal says so without showing it
    /// (it showed the value twice, as the path and inside the file system's message).
    @Test(arguments: ["SOLANA_KEYPAIR_PATH", "FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH"])
    func aKeyInAPathVariableIsNeverShown(_ name: String) {
        for key in [Self.json(Self.authority), Base58.encode(Self.authority.exportSecretKey())] {
            var environment = Self.complete
            if name == "SOLANA_KEYPAIR_PATH" { environment["SOLANA_PRIVATE_KEY"] = nil }
            environment[name] = key
            do {
                _ = try WorkerSettings(environment: ServiceEnvironment(environment)) { path in
                    throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
                }
                Issue.record("a key as a path should be refused")
            } catch {
                let text = error.description
                #expect(text.contains(name), "\(text)")
                #expect(!text.contains(String(key.prefix(24))) && !text.contains(String(key.suffix(24))), "\(text)")
                #expect(text.contains("looks like a secret key"), "\(text)")
            }
        }
    }

    @Test func everyProblemIsListedAtOnceWithoutSecrets() {
        let secret = Base58.encode(Self.payer.exportSecretKey())
        let environment = [
            "DATABASE_URL": "mysql://x",
            "SOLANA_RPC_URL": "ftp://nope",
            "SOLANA_PRIVATE_KEY": String(secret.dropLast(3)),  // truncated: does not decode to 64 bytes
            "FLUTTERBYE_MASTER_SEED": "abcd",
            "FLUTTERBYE_MAX_IN_FLIGHT": "zero",
            "FLUTTERBYE_WORKER_CONCURRENCY": "8",
            "FLUTTERBYE_METAPLEX_METADATA": "maybe",
            "FLUTTERBYE_LOG_LEVEL": "loud",
        ]
        do {
            _ = try WorkerSettings(environment: ServiceEnvironment(environment))
            Issue.record("the configuration should be refused")
        } catch {
            let text = error.description
            for name in [
                "DATABASE_URL", "SOLANA_RPC_URL", "SOLANA_PRIVATE_KEY", "FLUTTERBYE_MASTER_SEED", "FLUTTERBYE_MAX_IN_FLIGHT",
                "FLUTTERBYE_WORKER_CONCURRENCY", "FLUTTERBYE_METAPLEX_METADATA", "FLUTTERBYE_LOG_LEVEL",
            ] {
                #expect(text.contains(name), "\(name) missing from:\n\(text)")
            }
            #expect(error.problems.count == 8)
            #expect(text.contains("FLUTTERBYE_WORKER_CONCURRENCY is no longer read"), "a renamed variable is named, not ignored")
            #expect(!text.contains(String(secret.prefix(20))))
        }
        do {
            _ = try WorkerSettings(environment: ServiceEnvironment([:]))
            Issue.record("an empty environment should be refused")
        } catch {
            #expect(error.problems.count == 4, "\(error)")
        }
        var both = Self.complete
        both["SOLANA_KEYPAIR_PATH"] = "/x"
        #expect(throws: ConfigurationError.self) { try WorkerSettings(environment: ServiceEnvironment(both)) }
    }
}
