import ChainTestSupport
import Foundation
import SolanaCore
import Testing

/// The commands that read single variables (`pubkey`, `mint-address`, `migrate`, `reconcile`): what each reads, and
/// what it says when a variable is missing or unusable, without the secret. Needs only the built binary.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: WorkerProcessLauncher.binary.path), "needs the flutterbye binary"))
struct CommandEnvironmentTests {
    static let payer = try! Keypair(seed: [UInt8](repeating: 61, count: 32))
    static let seed = [UInt8](repeating: 0x6e, count: 32)

    static func run(_ arguments: [String], _ environment: [String: String]) async throws -> (status: Int32, output: String) {
        try await RunCommandTests.runFlutterbye(arguments, environment: environment)
    }

    @Test func pubkeyReadsSolanaPrivateKey() async throws {
        let base58 = Base58.encode(Self.payer.exportSecretKey())
        let json = "[" + Self.payer.exportSecretKey().map(String.init).joined(separator: ",") + "]"
        for secret in [base58, json] {
            let (status, output) = try await Self.run(["pubkey"], ["SOLANA_PRIVATE_KEY": secret])
            #expect(status == 0 && output == "\(Self.payer.publicKey)\n", "\(output)")
        }
        for environment in [[:], ["SOLANA_PRIVATE_KEY": ""]] {
            let (status, output) = try await Self.run(["pubkey"], environment)
            #expect(status != 0 && output.contains("no keypair: pass --keypair FILE or set SOLANA_PRIVATE_KEY"), "\(output)")
        }
        // Read as set, not trimmed (the worker trims it): a blank value is an unusable key here, not a missing one.
        for secret in ["not-a-secret-key-0OIl", " \n"] {
            let (status, output) = try await Self.run(["pubkey"], ["SOLANA_PRIVATE_KEY": secret])
            #expect(status != 0 && output.contains("SOLANA_PRIVATE_KEY is not usable"), "\(output)")
            #expect(secret.hasPrefix(" ") || !output.contains(secret), "the secret is not shown: \(output)")
        }
    }

    /// `pubkey --keypair` names what the path is when it is no keypair file: /dev/zero was said to be a permission
    /// problem, a directory "NSCocoaErrorDomain error 256".
    @Test func pubkeyReadsOnlyAKeypairFile() async throws {
        for (path, expected) in [
            ("/dev/zero", "cannot read the keypair file: /dev/zero is not a regular file (a character device)"),
            ("/tmp", "cannot read the keypair file: /tmp is not a regular file (a directory)"),
        ] {
            let (status, output) = try await Self.run(["pubkey", "--keypair", path], [:])
            #expect(status != 0 && output.contains(expected), "\(output)")
        }
    }

    @Test func mintAddressReadsTheMasterSeed() async throws {
        let hex = Self.seed.map { String(format: "%02x", $0) }.joined()
        let expected = try JobKeyDerivation(masterSeed: Self.seed).keypair(forJobKey: "job-1").publicKey
        let (status, output) = try await Self.run(["mint-address", "--job-key", "job-1"], ["FLUTTERBYE_MASTER_SEED": hex])
        #expect(status == 0 && output == "\(expected)\n", "\(output)")
        let (unset, unsetOutput) = try await Self.run(["mint-address", "--job-key", "job-1"], ["FLUTTERBYE_MASTER_SEED": ""])
        #expect(unset != 0 && unsetOutput.contains("FLUTTERBYE_MASTER_SEED is not set"), "\(unsetOutput)")
        let (short, shortOutput) = try await Self.run(["mint-address", "--job-key", "job-1"], ["FLUTTERBYE_MASTER_SEED": "abcdef12"])
        #expect(short != 0 && shortOutput.contains("FLUTTERBYE_MASTER_SEED is not usable") && !shortOutput.contains("abcdef12"), "\(shortOutput)")
    }

    @Test func migrateReadsDatabaseURLUnlessTheFlagIsGiven() async throws {
        for environment in [[:], ["DATABASE_URL": ""]] {
            let (status, output) = try await Self.run(["migrate"], environment)
            #expect(status != 0 && output.contains("no database: set DATABASE_URL"), "\(output)")
        }
        let (status, output) = try await Self.run(["migrate"], ["DATABASE_URL": "mysql://user:hunter2@db/flutterbye"])
        #expect(status != 0 && output.contains("the scheme must be postgres://") && !output.contains("hunter2"), "\(output)")
        let (flag, flagOutput) = try await Self.run(
            ["migrate", "--database-url", "mysql://user:hunter2@db/flutterbye"], ["DATABASE_URL": "postgres://user@127.0.0.1:1/flutterbye"])
        #expect(flag != 0 && flagOutput.contains("the scheme must be postgres://"), "the flag wins: \(flagOutput)")
    }

    @Test func reconcileNamesEveryMissingIndexerVariable() async throws {
        let (status, output) = try await Self.run(["reconcile"], ["FLUTTERBYE_INDEX_POLL_MILLISECONDS": "5"])
        #expect(status != 0)
        for expected in [
            "the configuration has 4 problems", "DATABASE_URL is not set", "SOLANA_RPC_URL is not set", "FLBY_TOKEN_MINT is not set",
            "FLUTTERBYE_INDEX_POLL_MILLISECONDS must be a whole number in 10...600000, not '5'",
        ] {
            #expect(output.contains(expected), "\(output)")
        }
    }
}
