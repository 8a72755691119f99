import ChainTestSupport
import Foundation
import NIOCore
import NIOPosix
import SolanaCore
import Testing

/// `SOLANA_CLUSTER` cannot switch production mode off: when the RPC answers, the name and its genesis hash must
/// agree, or `config check`, `run` and `worker` refuse, naming both. Off mainnet a keypair file readable by group or
/// others is warned about, not refused.
@Suite(.enabled(if: LocalChainServer.isAvailable, "needs the Python venv: run Tests/run"), .serialized)
struct ClusterAgreementTests {
    static let mainnetGenesisHash = "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d"
    static let shortToken = "only-twenty-chars-xx"

    /// A keypair file of mode 0644 (removed with the directory it is in when the test ends).
    static func readableKeypairFile() throws -> (directory: URL, path: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cluster-agreement-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let payer = try Keypair(seed: [UInt8](repeating: 111, count: 32))
        let path = directory.appendingPathComponent("payer.json").path
        let json = "[" + payer.exportSecretKey().map(String.init).joined(separator: ",") + "]"
        _ = FileManager.default.createFile(atPath: path, contents: Data(json.utf8), attributes: [.posixPermissions: 0o644])
        return (directory, path)
    }

    static func environment(rpc: URL, keypairPath: String, cluster: String?) -> [String: String] {
        var environment = [
            "DATABASE_URL": "postgres://flutterbye@127.0.0.1:1/flutterbye", "SOLANA_RPC_URL": rpc.absoluteString,
            "SOLANA_KEYPAIR_PATH": keypairPath, "FLUTTERBYE_MASTER_SEED": String(repeating: "4c", count: 32),
            "FLBY_TOKEN_MINT": "CRqft4ezes93aTpGML4G1REU3aXHKkMzuPp4ZLBWCFev", "API_TOKEN": shortToken,
        ]
        environment["SOLANA_CLUSTER"] = cluster
        return environment
    }

    @Test func aClusterNameThatTheGenesisHashContradictsIsRefused() async throws {
        let mainnet = try await LocalChainServer.start(arguments: ["--genesis-hash", Self.mainnetGenesisHash])
        let (directory, keypairPath) = try Self.readableKeypairFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Named devnet, but mainnet by its genesis hash: refused, naming both, with mainnet's rules applied.
        let devnet = Self.environment(rpc: mainnet.url, keypairPath: keypairPath, cluster: "devnet")
        for command in [["config", "check"], ["run"], ["worker"]] {
            let (status, output) = try await RunCommandTests.runFlutterbye(command, environment: devnet)
            #expect(status == 1, "\(command): \(output)")
            for expected in ["SOLANA_CLUSTER", "devnet", "mainnet-beta", Self.mainnetGenesisHash, "chmod 600 \(keypairPath)"] {
                #expect(output.contains(expected), "\(command) names \(expected):\n\(output)")
            }
            if command != ["worker"] {
                #expect(output.contains("API_TOKEN"), "\(command) names the short token:\n\(output)")
            }
            #expect(!output.contains(Self.shortToken), "no secret printed:\n\(output)")
        }
        // Named localnet against mainnet's hash: refused too.
        let localnet = Self.environment(rpc: mainnet.url, keypairPath: keypairPath, cluster: "localnet")
        let (status, output) = try await RunCommandTests.runFlutterbye(["config", "check"], environment: localnet)
        #expect(status == 1 && output.contains("SOLANA_CLUSTER") && output.contains(Self.mainnetGenesisHash), "\(output)")
        // Named mainnet-beta against a chain of another genesis hash: refused as well.
        let local = try await LocalChainServer.start()
        let named = Self.environment(rpc: local.url, keypairPath: keypairPath, cluster: "mainnet-beta")
        let (namedStatus, namedOutput) = try await RunCommandTests.runFlutterbye(["config", "check"], environment: named)
        #expect(namedStatus == 1 && namedOutput.contains("SOLANA_CLUSTER") && namedOutput.contains("mainnet-beta"), "\(namedOutput)")
    }

    @Test func offMainnetAReadableKeypairFileIsWarnedAboutNotRefused() async throws {
        let local = try await LocalChainServer.start()
        let (directory, keypairPath) = try Self.readableKeypairFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = Self.environment(rpc: local.url, keypairPath: keypairPath, cluster: "localnet")
        environment["API_TOKEN"] = String(repeating: "t", count: 40)
        for cluster in ["localnet", nil] {
            environment["SOLANA_CLUSTER"] = cluster
            let (status, output) = try await RunCommandTests.runFlutterbye(["config", "check"], environment: environment)
            #expect(status == 0, "\(output)")
            #expect(output.contains("warning") && output.contains("SOLANA_KEYPAIR_PATH") && output.contains("chmod 600 \(keypairPath)"), "\(output)")
        }
    }

    /// An RPC that does not answer (nothing listens at its port) or refuses the credentials in its URL: `config check`
    /// says so, naming the endpoint and the error, whether SOLANA_CLUSTER is set (a warning; the configuration is
    /// usable) or not (among the reasons production mode refuses). It listed only the production rules before, or
    /// said "configuration usable" with no word of the RPC.
    @Test func anRPCThatDoesNotAnswerIsNamedWithItsError() async throws {
        let local = try await LocalChainServer.start(arguments: ["--basic-auth", "worker:right-password"])
        let (directory, keypairPath) = try Self.readableKeypairFile()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try #require(local.url.port)
        let wrong = try #require(URL(string: "http://worker:wrong-password@127.0.0.1:\(port)"))
        let nobody = try #require(URL(string: "http://127.0.0.1:1"))
        for (rpc, error) in [(wrong, "401"), (nobody, "127.0.0.1:1")] {
            for cluster in ["devnet", nil] {
                var environment = Self.environment(rpc: rpc, keypairPath: keypairPath, cluster: cluster)
                environment["API_TOKEN"] = String(repeating: "t", count: 40)
                let (status, output) = try await RunCommandTests.runFlutterbye(["config", "check"], environment: environment)
                #expect(status == (cluster == nil ? 1 : 0), "\(rpc.host ?? ""), \(cluster ?? "no cluster"): \(output)")
                #expect(output.contains("getGenesisHash") && output.contains(error), "\(rpc.host ?? ""), \(cluster ?? "no cluster"): \(output)")
                #expect(!output.contains("wrong-password"), "\(output)")
            }
        }
    }

    /// The status API's address is checked before the start applies the schema, and a refusal names the variables:
    /// a host that does not resolve, an address that is not this machine's, or a port another process holds gave raw
    /// socket errors ("bind(descriptor:ptr:bytes:): Address already in use") after the migration.
    @Test func anAddressTheAPICannotListenOnIsNamedBeforeTheStart() async throws {
        let local = try await LocalChainServer.start()
        let keypair = try Keypair(seed: [UInt8](repeating: 112, count: 32))
        let held = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { held.close(promise: nil) }
        let heldPort = try #require(held.localAddress?.port)
        for (host, port, reason) in [
            ("0.0.0.o", "18081", "0.0.0.o"), ("8.8.8.8", "18081", "Cannot assign requested address"),
            ("127.0.0.1", "\(heldPort)", "Address already in use"),
        ] {
            var environment = Self.environment(rpc: local.url, keypairPath: "unused", cluster: "localnet")
            environment["SOLANA_KEYPAIR_PATH"] = nil
            environment["SOLANA_PRIVATE_KEY"] = Base58.encode(keypair.exportSecretKey())
            environment["API_TOKEN"] = String(repeating: "t", count: 40)
            environment["FLUTTERBYE_API_HOST"] = host
            environment["FLUTTERBYE_API_PORT"] = port
            let (status, output) = try await RunCommandTests.runFlutterbye(["run"], environment: environment)
            #expect(status == 1, "\(host):\(port): \(output)")
            #expect(output.contains("FLUTTERBYE_API_HOST") && output.contains(reason), "\(host):\(port): \(output)")
            #expect(!output.contains("schema"), "the start went on to the schema: \(output)")
        }
    }
}
