import Foundation
import Logging
import SolanaCore
import Testing

@testable import FlutterbyeService

/// Production mode's refusals, each alone and all at once, and none off mainnet.
struct ProductionPolicyTests {
    static let goodToken = String(repeating: "a1", count: 20)
    static let ownPayer = try! Keypair(seed: [UInt8](repeating: 44, count: 32))
    static let ownAuthority = try! Keypair(seed: [UInt8](repeating: 45, count: 32))
    /// The payer in a Solana CLI keypair file (its permissions are what each test says they are).
    static let keyFile = keypairFile(ownPayer)
    /// The mint authority in a keypair file of its own.
    static let authorityKeyFile = keypairFile(ownAuthority)

    static func keypairFile(_ keypair: Keypair) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("production-policy-\(UUID()).json").path
        let json = "[" + keypair.exportSecretKey().map(String.init).joined(separator: ",") + "]"
        _ = FileManager.default.createFile(atPath: path, contents: Data(json.utf8), attributes: [.posixPermissions: 0o600])
        return path
    }

    /// A complete configuration of every part, as a mainnet deployment would have it, with `changes` applied.
    static func environment(_ changes: [String: String?] = [:]) -> [String: String] {
        var environment = [
            "DATABASE_URL": "postgres://flutterbye@db.internal:5432/flutterbye",
            "SOLANA_RPC_URL": "https://rpc.example.com/?api-key=secret",
            "SOLANA_PRIVATE_KEY": Base58.encode(ownPayer.exportSecretKey()),
            "MAINNET_MINT_AUTHORITY": Base58.encode(ownAuthority.exportSecretKey()),
            "FLUTTERBYE_MASTER_SEED": String(repeating: "5a", count: 32),
            "FLBY_TOKEN_MINT": "CRqft4ezes93aTpGML4G1REU3aXHKkMzuPp4ZLBWCFev",
            "MAINNET_PROGRAM_ID": "7e5pxK83ceXb2iWXBizF1U8MdL7C5VcVBBXpDWaYo3x1",
            "MAINNET_ESCROW_WALLET": "EscrwqVZTHgeyGoCVqtHhnRZrbx3HgAxGcBM3SpLMUN4",
            "MAINNET_FEE_WALLET": "Feeq4T8B4fwJ6fKXjiuRZpm2Ykj4Rb8nWaptbRfXDx3V",
            "API_TOKEN": goodToken,
        ]
        for (name, value) in changes { environment[name] = value }
        return environment
    }

    /// The review of `environment(changes)` on `cluster`, every file's mode read as `permissions` (nil: unreadable).
    static func review(
        _ changes: [String: String?] = [:], cluster: SolanaCluster? = .mainnetBeta, permissions: Int? = nil
    ) throws
        -> ProductionPolicy.Review
    {
        let configuration = try ServiceConfiguration(environment: ServiceEnvironment(environment(changes)), parts: ServiceParts())
        return ProductionPolicy.review(configuration, cluster: cluster) { _ in
            permissions.map { .success($0) } ?? .failure(FileModeError(reason: "No such file or directory"))
        }
    }

    static func refusals(_ changes: [String: String?] = [:], cluster: SolanaCluster? = .mainnetBeta, permissions: Int? = nil) throws -> [String] {
        try review(changes, cluster: cluster, permissions: permissions).refusals
    }

    @Test func aSoundMainnetConfigurationIsAccepted() throws {
        #expect(try Self.refusals() == [])
        #expect(try Self.refusals(["SOLANA_RPC_URL": "http://127.0.0.1:8899,http://localhost:8899,http://[::1]:8899"]) == [])
        #expect(try Self.refusals(["SOLANA_PRIVATE_KEY": nil, "SOLANA_KEYPAIR_PATH": Self.keyFile], permissions: 0o600) == [])
    }

    @Test func eachRefusalAlone() throws {
        let short = try Self.refusals(["API_TOKEN": "sixteen-chars-ok"])
        #expect(short.count == 1 && short[0].contains("API_TOKEN") && !short[0].contains("sixteen-chars-ok"))
        let readable = try Self.refusals(["SOLANA_PRIVATE_KEY": nil, "SOLANA_KEYPAIR_PATH": Self.keyFile], permissions: 0o644)
        #expect(readable.count == 1 && readable[0].contains("chmod 600 \(Self.keyFile)") && readable[0].contains("644"))
        let http = try Self.refusals(["SOLANA_RPC_URL": "https://rpc.example.com,http://rpc.example.net:8899/?api-key=secret"])
        #expect(http.count == 1 && http[0].contains("rpc.example.net") && !http[0].contains("secret"))
        let demoPayer = try Self.refusals(["SOLANA_PRIVATE_KEY": Base58.encode(DemoIdentity.payer.exportSecretKey())])
        #expect(demoPayer.count == 1 && demoPayer[0].contains("demo"), "\(demoPayer)")
        let demoBoth = try Self.refusals(["SOLANA_PRIVATE_KEY": Base58.encode(DemoIdentity.payer.exportSecretKey()), "MAINNET_MINT_AUTHORITY": nil])
        #expect(demoBoth.count == 3, "the payer, and so the mint authority, which is the payer: \(demoBoth)")
        #expect(demoBoth.filter { $0.contains("demo") }.count == 2)
        let demoSeed = try Self.refusals(["FLUTTERBYE_MASTER_SEED": DemoIdentity.masterSeedHex])
        #expect(demoSeed.count == 1 && demoSeed[0].contains("FLUTTERBYE_MASTER_SEED"))
        let switches = try Self.refusals(["FLUTTERBYE_DEV_AIRDROP": "1", "FLUTTERBYE_DEV_OFF": "false"])
        #expect(switches == ["FLUTTERBYE_DEV_AIRDROP is a development switch; unset it"])
    }

    /// Plain http goes only to a literal loopback address: localhost, an IPv4 address of four decimal octets whose
    /// first is 127, or ::1 in any of its spellings. A host name that merely starts with "127." is any machine.
    @Test func onlyALiteralLoopbackAddressMayBeSentPlainHTTP() throws {
        for loopback in [
            "localhost", "LOCALHOST", "127.0.0.1", "127.255.255.254", "127.1.2.3", "::1", "[::1]", "0:0:0:0:0:0:0:1", "[0000:0000::0001]",
            "::0:1",
        ] {
            #expect(ProductionPolicy.isLoopback(loopback), "\(loopback)")
        }
        for remote in [
            "127.attacker.example", "127.0.0.1.attacker.example", "127.0.0.1.", "127.0.0.256", "127.0.0", "127.1", "127.0.0.01",
            "127.0.0.1x", "127..0.1", "0127.0.0.1", "128.0.0.1", "10.0.0.1", "::2", "::1:1", "1::1", "::ffff:127.0.0.1", "::1%lo",
            "0:0:0:0:0:0:0:0:1", "00000::1", ":::1", "::", "localhost.attacker.example", "",
        ] {
            #expect(!ProductionPolicy.isLoopback(remote), "\(remote)")
        }
        for url in ["http://127.attacker.example:8899", "http://127.0.0.1.attacker.example:8899/?api-key=secret", "http://127.1:8899"] {
            let refused = try Self.refusals(["SOLANA_RPC_URL": url])
            #expect(refused.count == 1 && refused[0].hasPrefix("SOLANA_RPC_URL:") && !refused[0].contains("secret"), "\(url): \(refused)")
        }
        #expect(try Self.refusals(["SOLANA_RPC_URL": "http://127.0.0.1:8899,http://[0:0:0:0:0:0:0:1]:8899,http://LocalHost:8899"]) == [])
    }

    /// A plain ws:// PubSub URL (SOLANA_WS_URL) goes only to this machine, as plain http does: a provider's key in it
    /// would travel in cleartext. The refusal shows the scheme, host and port only; off mainnet it is not refused.
    @Test func plainWebSocketGoesOnlyToThisMachine() throws {
        let remote: [String: String?] = ["SOLANA_WS_URL": "ws://user:password@rpc.example.com:8900/?api-key=SECRET"]
        let refused = try Self.refusals(remote)
        #expect(refused.count == 1, "\(refused)")
        #expect(refused.first?.hasPrefix("SOLANA_WS_URL: ws://rpc.example.com:8900 uses plain ws") == true, "\(refused)")
        #expect(refused.allSatisfy { !$0.contains("SECRET") && !$0.contains("password") && !$0.contains("user") }, "\(refused)")
        #expect(try Self.refusals(["SOLANA_WS_URL": "ws://127.attacker.example:8900"]).count == 1)
        for accepted in ["wss://rpc.example.com/?api-key=SECRET", "ws://127.0.0.1:8900", "ws://[::1]:8900", "ws://localhost:8900", "off"] {
            #expect(try Self.refusals(["SOLANA_WS_URL": accepted]) == [], "\(accepted)")
        }
        #expect(try Self.refusals(remote, cluster: .devnet) == [])
        // With the worker alone (config check --no-indexer --no-api), as with every part.
        let configuration = try ServiceConfiguration(
            environment: ServiceEnvironment(Self.environment(remote)), parts: ServiceParts(indexer: false, api: false))
        #expect(ProductionPolicy.review(configuration, cluster: .mainnetBeta) { _ in .success(0o600) }.refusals.count == 1)
        // Derived from a plain http RPC URL, the PubSub URL is the RPC URL's refusal: it is not refused twice.
        #expect(try Self.refusals(["SOLANA_RPC_URL": "http://rpc.example.com:8899"]).count == 1)
    }

    /// On mainnet the indexer needs every address of the seeds' MainNet configuration: each one missing is named
    /// (by its MAINNET_ name, with its alias); off mainnet none is required.
    @Test func onMainnetEveryMissingMainnetAddressIsNamed() throws {
        let none: [String: String?] = ["MAINNET_PROGRAM_ID": nil, "MAINNET_ESCROW_WALLET": nil, "MAINNET_FEE_WALLET": nil]
        let refusals = try Self.refusals(none)
        for (name, alias) in [
            ("MAINNET_PROGRAM_ID", "FLUTTERBYE_PROGRAM_ID"), ("MAINNET_ESCROW_WALLET", "ESCROW_WALLET"), ("MAINNET_FEE_WALLET", "FEE_WALLET"),
        ] {
            #expect(refusals.contains { $0.hasPrefix("\(name) is not set") && $0.contains(alias) }, "\(refusals)")
        }
        #expect(refusals.count == 3, "\(refusals)")
        // The aliases count as set.
        let aliases: [String: String?] = [
            "MAINNET_PROGRAM_ID": nil, "FLUTTERBYE_PROGRAM_ID": "7e5pxK83ceXb2iWXBizF1U8MdL7C5VcVBBXpDWaYo3x1", "MAINNET_ESCROW_WALLET": nil,
            "ESCROW_WALLET": "EscrwqVZTHgeyGoCVqtHhnRZrbx3HgAxGcBM3SpLMUN4", "MAINNET_FEE_WALLET": nil,
        ]
        #expect(
            try Self.refusals(aliases) == [
                "MAINNET_FEE_WALLET is not set: the fee wallet's address, which the indexer follows on mainnet (or FEE_WALLET)"
            ])
        #expect(try Self.refusals(none, cluster: .devnet) == [])
    }

    /// A configuration that cannot be read (no FLBY_TOKEN_MINT here) still has the missing MainNet addresses named in
    /// the same run when production rules apply: the RPC says mainnet, SOLANA_CLUSTER says so, or nothing can tell;
    /// not on another cluster, nor when the indexer does not run.
    @Test func anUnreadableConfigurationStillHasItsMissingMainnetAddressesNamed() async throws {
        let mainnetHash = "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d"
        let devnetHash = "EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG"
        func problems(_ changes: [String: String?], parts: ServiceParts = .init(), hash: String?) async -> [String] {
            var changes = changes
            changes["FLBY_TOKEN_MINT"] = .some(nil)
            changes["MAINNET_PROGRAM_ID"] = .some(nil)
            changes["MAINNET_ESCROW_WALLET"] = .some(nil)
            changes["MAINNET_FEE_WALLET"] = .some(nil)
            return await ProductionPolicy.mainnetAddressProblems(ServiceEnvironment(Self.environment(changes)), parts: parts) { _ in hash }
        }
        let onMainnet = await problems([:], hash: mainnetHash)
        #expect(onMainnet.count == 3 && onMainnet.allSatisfy { $0.contains("is not set") }, "\(onMainnet)")
        #expect(await problems([:], hash: devnetHash).isEmpty)
        #expect(await problems([:], parts: .init(indexer: false), hash: mainnetHash).isEmpty)
        #expect(await problems(["SOLANA_CLUSTER": "mainnet-beta"], hash: nil).count == 3)
        let noRPC: [String: String?] = ["SOLANA_RPC_URL": nil]
        let unidentified = await problems(noRPC, hash: nil)
        #expect(unidentified.count == 4 && unidentified.last?.contains("could not be identified") == true, "\(unidentified)")
        #expect(await problems(["SOLANA_CLUSTER": "devnet"], hash: nil).isEmpty)
    }

    /// On mainnet the mint authority must be a key of its own, not the fee payer (whose key sits on the worker's
    /// machine to pay fees), unless FLUTTERBYE_MINT_AUTHORITY_IS_PAYER says that is intended; then it is a warning.
    @Test func onMainnetTheMintAuthorityIsNotThePayerUnlessThatIsIntended() throws {
        let payerOnly: [String: String?] = ["MAINNET_MINT_AUTHORITY": nil]
        let refused = try Self.refusals(payerOnly)
        #expect(refused.count == 1 && refused[0].contains("mint authority is the fee payer"), "\(refused)")
        #expect(refused[0].contains("MAINNET_MINT_AUTHORITY") && refused[0].contains("FLUTTERBYE_MINT_AUTHORITY_IS_PAYER"))
        var intended = payerOnly
        intended["FLUTTERBYE_MINT_AUTHORITY_IS_PAYER"] = "true"
        let review = try Self.review(intended)
        #expect(review.refusals == [] && review.warnings.count == 1 && review.warnings[0].contains("mint authority is the fee payer"))
        #expect(try Self.review(payerOnly, cluster: .devnet) == ProductionPolicy.Review(), "off mainnet it is the default")
        var bad = intended
        bad["FLUTTERBYE_MINT_AUTHORITY_IS_PAYER"] = "perhaps"
        #expect(try Self.refusals(bad).contains { $0.contains("FLUTTERBYE_MINT_AUTHORITY_IS_PAYER must be true or false") })
        // A value that is not a yes or a no is refused on every cluster, and whoever the mint authority is: 'ture' was
        // ignored off mainnet, and with a mint authority of its own, where it would matter again after a change.
        bad["FLUTTERBYE_MINT_AUTHORITY_IS_PAYER"] = "ture"
        for (changes, cluster) in [(bad, SolanaCluster.devnet), (["FLUTTERBYE_MINT_AUTHORITY_IS_PAYER": "ture"], .mainnetBeta)] {
            let refused = try Self.refusals(changes, cluster: cluster, permissions: 0o600)
            #expect(refused == ["FLUTTERBYE_MINT_AUTHORITY_IS_PAYER must be true or false, not 'ture'"], "\(refused)")
        }
    }

    /// A keypair file whose mode cannot be read is refused, on every cluster: the check fails closed.
    @Test func aKeypairFileWhoseModeCannotBeReadIsRefusedEverywhere() throws {
        let keypair: [String: String?] = ["SOLANA_PRIVATE_KEY": nil, "SOLANA_KEYPAIR_PATH": Self.keyFile]
        for cluster in [SolanaCluster.mainnetBeta, .devnet, nil] {
            let refusals = try Self.refusals(keypair, cluster: cluster, permissions: nil)
            #expect(
                refusals.contains { $0.contains("SOLANA_KEYPAIR_PATH") && $0.contains(Self.keyFile) && $0.contains("cannot be read") }, "\(refusals)")
        }
    }

    /// Off mainnet a keypair file that group or others may read is a warning, not a refusal; a private one neither.
    @Test func offMainnetAReadableKeypairFileIsAWarning() throws {
        let keypair: [String: String?] = [
            "SOLANA_PRIVATE_KEY": nil, "SOLANA_KEYPAIR_PATH": Self.keyFile, "FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH": Self.authorityKeyFile,
            "MAINNET_MINT_AUTHORITY": nil,
        ]
        for cluster in [SolanaCluster.devnet, .testnet, .custom] {
            let readable = try Self.review(keypair, cluster: cluster, permissions: 0o644)
            #expect(readable.refusals == [])
            #expect(readable.warnings.count == 2 && readable.warnings.allSatisfy { $0.contains("chmod 600 ") && $0.contains("644") })
            #expect(readable.warnings.contains { $0.contains(Self.keyFile) } && readable.warnings.contains { $0.contains(Self.authorityKeyFile) })
            #expect(try Self.review(keypair, cluster: cluster, permissions: 0o600) == ProductionPolicy.Review())
        }
        #expect(try Self.review(keypair, cluster: .mainnetBeta, permissions: 0o644).warnings == [])
        #expect(try Self.refusals(keypair, cluster: .mainnetBeta, permissions: 0o644).count == 2)
    }

    /// The file checked is the file the worker loads: a path with spaces around it (the worker trims every value)
    /// is checked trimmed, not refused as a file that does not exist.
    @Test func theFileCheckedIsTheOneTheWorkerLoads() throws {
        let padded: [String: String?] = [
            "SOLANA_PRIVATE_KEY": nil, "SOLANA_KEYPAIR_PATH": "  \(Self.keyFile)\n",
            "FLUTTERBYE_MINT_AUTHORITY_KEYPAIR_PATH": " \(Self.authorityKeyFile)",
            "MAINNET_MINT_AUTHORITY": nil,
        ]
        let configuration = try ServiceConfiguration(environment: ServiceEnvironment(Self.environment(padded)), parts: ServiceParts())
        #expect(configuration.worker != nil, "the worker loads both files")
        for cluster in [SolanaCluster.mainnetBeta, .devnet] {
            #expect(ProductionPolicy.review(configuration, cluster: cluster) == ProductionPolicy.Review())
        }
    }

    /// The mode is read from the file itself: a missing file cannot be stat'ed, a private one reads 600.
    @Test func theModeOfAFileIsItsOwn() {
        #expect(KeypairFileCheck.fileMode(Self.keyFile) == .success(0o600))
        guard case .failure(let error) = KeypairFileCheck.fileMode(Self.keyFile + ".missing") else {
            Issue.record("a missing file has no mode")
            return
        }
        #expect(!error.reason.isEmpty)
    }

    @Test func everyRefusalAtOnce() throws {
        let all = try Self.refusals(
            [
                "API_TOKEN": "sixteen-chars-ok", "SOLANA_PRIVATE_KEY": nil, "SOLANA_KEYPAIR_PATH": Self.keyFile,
                "SOLANA_RPC_URL": "http://rpc.example.com", "FLUTTERBYE_MASTER_SEED": DemoIdentity.masterSeedHex, "FLUTTERBYE_DEV_X": "yes",
            ], permissions: 0o640)
        #expect(all.count == 5, "\(all)")
    }

    /// A development switch is found by its name's prefix, whatever the rest of the name's case, and read as set: only
    /// empty, 0, false or no count as off.
    @Test func developmentSwitchesAreFoundByPrefixAndReadAsSet() throws {
        let switches = try Self.refusals([
            "FLUTTERBYE_DEV_airdrop": "1", "FLUTTERBYE_DEV_BLANK": " ", "FLUTTERBYE_DEV_OFF": "No", "FLUTTERBYE_DEV_EMPTY": "",
        ])
        #expect(switches == ["FLUTTERBYE_DEV_BLANK is a development switch; unset it", "FLUTTERBYE_DEV_airdrop is a development switch; unset it"])
    }

    @Test func offMainnetNothingIsRefusedAndAnUnknownClusterCountsAsMainnet() throws {
        let risky: [String: String?] = ["API_TOKEN": "sixteen-chars-ok", "FLUTTERBYE_MASTER_SEED": DemoIdentity.masterSeedHex]
        #expect(try Self.refusals(risky, cluster: .devnet) == [])
        #expect(try Self.refusals(risky, cluster: .custom) == [])
        let unknown = try Self.refusals(risky, cluster: nil)
        #expect(unknown.count == 3 && unknown.last?.contains("SOLANA_CLUSTER") == true)
    }

    @Test func theClusterComesFromItsNameOrItsGenesisHash() {
        #expect(SolanaCluster(name: "mainnet-beta") == .mainnetBeta)
        #expect(SolanaCluster(name: "moonnet") == nil)
        #expect(SolanaCluster(genesisHash: "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d") == .mainnetBeta)
        #expect(SolanaCluster(genesisHash: "anything-else") == .custom)
    }
}

/// Production's log lines: one JSON object each, the fixed fields beside the metadata.
struct JSONLogHandlerTests {
    @Test func oneJSONObjectPerLine() throws {
        let data = JSONLogHandler.line(
            date: Date(timeIntervalSince1970: 0), level: .warning, label: "flutterbye", message: "job failed: \"quoted\"",
            source: "TokenWorker", metadata: ["job": "42", "level": "ignored"])
        #expect(data.last == UInt8(ascii: "\n"))
        #expect(data.dropLast().contains(UInt8(ascii: "\n")) == false)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
        #expect(
            object == [
                "ts": "1970-01-01T00:00:00.000Z", "level": "warning", "label": "flutterbye", "message": "job failed: \"quoted\"",
                "source": "TokenWorker", "job": "42",
            ])
    }
}
