import FlutterbyeIndexer
import FlutterbyeService
import FlutterbyeStore
import Foundation
import SolanaCore
import SolanaRPC
import Testing

/// The indexer's configuration from the environment: the seeds' variable names, defaults, and every problem at once.
struct IndexerSettingsTests {
    static let mint = "FLBYa1hbtiZ9rhzPdsK5ZxwvLTnrC6XUVmfKBHjRH5Xj"
    static let escrow = "EscrwqVZTHgeyGoCVqtHhnRZrbx3HgAxGcBM3SpLMUN4"
    static let fee = "Feeq4T8B4fwJ6fKXjiuRZpm2Ykj4Rb8nWaptbRfXDx3V"
    static let program = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"
    static let base = [
        "DATABASE_URL": "postgres://indexer@localhost:5432/flutterbye", "SOLANA_RPC_URL": "http://127.0.0.1:8899",
        "FLBY_TOKEN_MINT": mint,
    ]

    @Test func theSeedsNamesAndThePlainOnesAreRead() throws {
        var environment = Self.base
        environment["MAINNET_ESCROW_WALLET"] = Self.escrow
        environment["FEE_WALLET"] = Self.fee
        environment["FLUTTERBYE_PROGRAM_ID"] = Self.program
        environment["FLUTTERBYE_INDEX_START_SLOT"] = "1234"
        let settings = try IndexerSettings(environment: ServiceEnvironment(environment))
        #expect(settings.watched.flbyMint.base58 == Self.mint)
        #expect(settings.watched.escrowWallet?.base58 == Self.escrow)
        #expect(settings.watched.feeWallet?.base58 == Self.fee)
        #expect(settings.watched.programID?.base58 == Self.program)
        #expect(settings.start == .slot(1234))
        #expect(settings.options.polling.busyInterval == .seconds(1) && settings.options.dropAfterSlots == 150)
        #expect(settings.options.polling.signaturesHeld == 100_000)
        environment["FLUTTERBYE_INDEX_SIGNATURES_HELD"] = "20000"
        #expect(try IndexerSettings(environment: ServiceEnvironment(environment)).options.polling.signaturesHeld == 20_000)

        // The MAINNET_ names win over the plain ones.
        environment["ESCROW_WALLET"] = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"
        #expect(try IndexerSettings(environment: ServiceEnvironment(environment)).watched.escrowWallet?.base58 == Self.escrow)
    }

    /// The seeds' MainNet names, exactly as they are written there, each read (and each winning over its alias).
    @Test func theSeedsMainnetNamesAreRead() throws {
        var environment = Self.base
        environment["MAINNET_PROGRAM_ID"] = Self.escrow
        environment["MAINNET_ESCROW_WALLET"] = Self.fee
        environment["MAINNET_FEE_WALLET"] = Self.program
        for alias in ["FLUTTERBYE_PROGRAM_ID", "ESCROW_WALLET", "FEE_WALLET"] { environment[alias] = "11111111111111111111111111111111" }
        let watched = try IndexerSettings(environment: ServiceEnvironment(environment)).watched
        #expect(watched.flbyMint.base58 == Self.mint, "FLBY_TOKEN_MINT")
        #expect(watched.programID?.base58 == Self.escrow, "MAINNET_PROGRAM_ID")
        #expect(watched.escrowWallet?.base58 == Self.fee, "MAINNET_ESCROW_WALLET")
        #expect(watched.feeWallet?.base58 == Self.program, "MAINNET_FEE_WALLET")
    }

    /// The indexer reads `SOLANA_WS_URL` as the worker does: by default derived from the RPC URL as Solana's clients
    /// do (ws for http, the port one higher), or off.
    @Test func thePubSubEndpointIsDerivedFromTheRPCURLUnlessSetOrOff() throws {
        #expect(try IndexerSettings(environment: ServiceEnvironment(Self.base)).pubSub == PubSubEndpoint(url: "ws://127.0.0.1:8900"))
        var environment = Self.base
        environment["SOLANA_WS_URL"] = "off"
        #expect(try IndexerSettings(environment: ServiceEnvironment(environment)).pubSub == nil)
        environment["SOLANA_WS_URL"] = "ws://127.0.0.1:9100"
        #expect(try IndexerSettings(environment: ServiceEnvironment(environment)).pubSub == PubSubEndpoint(url: "ws://127.0.0.1:9100"))
        environment["SOLANA_WS_URL"] = "http://127.0.0.1:9100"
        #expect(throws: ConfigurationError.self) { try IndexerSettings(environment: ServiceEnvironment(environment)) }
    }

    /// A secret key put where an address belongs (the wallet's key instead of its address) is refused without showing
    /// it, in either form a key is written: the refusal is what `config check` prints and `run` reports.
    @Test(arguments: ["FLBY_TOKEN_MINT", "MAINNET_ESCROW_WALLET", "FEE_WALLET", "MAINNET_PROGRAM_ID"])
    func aKeyInAnAddressVariableIsNeverShown(_ name: String) throws {
        let secretKey = try Keypair(seed: [UInt8](repeating: 31, count: 32)).exportSecretKey()
        for key in ["[" + secretKey.map(String.init).joined(separator: ",") + "]", Base58.encode(secretKey)] {
            var environment = Self.base
            environment[name] = key
            do {
                _ = try IndexerSettings(environment: ServiceEnvironment(environment))
                Issue.record("a key as an address should be refused")
            } catch {
                let text = error.description
                #expect(text.contains(name), "\(text)")
                #expect(!text.contains(String(key.prefix(24))) && !text.contains(String(key.suffix(24))), "\(text)")
                #expect(text.contains("looks like a secret key"), "\(text)")
            }
        }
    }

    /// One address in two of the watched roles: the index keeps one role per address, so the second was dropped
    /// without a word (with ESCROW_WALLET = FEE_WALLET only an escrow cursor was made, and no fee wallet activity).
    @Test(arguments: [("ESCROW_WALLET", "FEE_WALLET"), ("FLBY_TOKEN_MINT", "FEE_WALLET"), ("ESCROW_WALLET", "FLUTTERBYE_PROGRAM_ID")])
    func oneAddressInTwoRolesIsRefusedNamingBoth(_ first: String, _ second: String) {
        var environment = Self.base
        environment[first] = Self.escrow
        environment[second] = Self.escrow
        let refusal = #expect(throws: ConfigurationError.self) { try IndexerSettings(environment: ServiceEnvironment(environment)) }
        let text = refusal.map { "\($0)" } ?? ""
        #expect(text.contains(first) && text.contains(second) && text.contains("same address"), "\(text)")
    }

    @Test func withoutWalletsOnlyTheMintIsWatchedFromTheBeginning() throws {
        let settings = try IndexerSettings(environment: ServiceEnvironment(Self.base))
        #expect(settings.watched.escrowWallet == nil && settings.watched.feeWallet == nil && settings.watched.programID == nil)
        #expect(settings.start == .beginning)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let environment = [
            "SOLANA_RPC_URL": "ftp://node", "FLBY_TOKEN_MINT": "not-a-key", "ESCROW_WALLET": "0OIl",
            "FLUTTERBYE_INDEX_START_SLOT": "1", "FLUTTERBYE_INDEX_START_SIGNATURE": "x", "FLUTTERBYE_INDEX_POLL_MILLISECONDS": "0",
            "FLUTTERBYE_INDEX_SIGNATURES_HELD": "999",
        ]
        do {
            _ = try IndexerSettings(environment: ServiceEnvironment(environment))
            Issue.record("a broken configuration was accepted")
        } catch {
            let text = error.description
            for expected in [
                "DATABASE_URL is not set", "SOLANA_RPC_URL: 'ftp://node' is not an http(s) URL", "FLBY_TOKEN_MINT is not a Solana address",
                "ESCROW_WALLET is not a Solana address", "set only one of FLUTTERBYE_INDEX_START_SLOT and FLUTTERBYE_INDEX_START_SIGNATURE",
                "FLUTTERBYE_INDEX_POLL_MILLISECONDS must be a whole number", "FLUTTERBYE_INDEX_SIGNATURES_HELD must be a whole number in 3000",
            ] {
                #expect(text.contains(expected), "\(text)")
            }
            #expect(error.problems.count == 7)
        }
        #expect(throws: ConfigurationError.self) {
            try IndexerSettings(environment: ServiceEnvironment(["DATABASE_URL": "postgres://a@b/c", "SOLANA_RPC_URL": "http://x"]))
        }
    }

    /// FLUTTERBYE_PROGRAM_IDL: read at start; a file that is missing or does not read is a problem with its reason,
    /// and so is an IDL without a program to read it for.
    @Test func theProgramsIDLIsReadAtStartAndRefusedWithItsReason() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("flutterbye.json")
        try Data(#"{"instructions": [], "events": [{"name": "Paid", "fields": [{"name": "lamports", "type": "u64"}]}]}"#.utf8).write(to: good)
        let bad = directory.appendingPathComponent("broken.json")
        try Data(#"{"instructions": [], "events": [{"name": "Paid", "discriminator": [1]}]}"#.utf8).write(to: bad)
        let notAnIDL = directory.appendingPathComponent("package.json")
        try Data(#"{"name": "flutterbye", "version": "1.0.0"}"#.utf8).write(to: notAnIDL)
        // The IDL of another program (its `address`) would decode that program's events as this one's.
        let other = directory.appendingPathComponent("other.json")
        try Data(#"{"address": "\#(Self.fee)", "instructions": [], "events": []}"#.utf8).write(to: other)
        let same = directory.appendingPathComponent("same.json")
        try Data(#"{"address": "\#(Self.escrow)", "instructions": [], "events": []}"#.utf8).write(to: same)

        var environment = Self.base
        environment["FLUTTERBYE_PROGRAM_ID"] = Self.escrow
        environment["FLUTTERBYE_PROGRAM_IDL"] = good.path
        #expect(try IndexerSettings(environment: ServiceEnvironment(environment)).programIDL?.events.map(\.name) == ["Paid"])
        #expect(try IndexerSettings(environment: ServiceEnvironment(Self.base)).programIDL == nil)
        environment["FLUTTERBYE_PROGRAM_IDL"] = same.path
        #expect(try IndexerSettings(environment: ServiceEnvironment(environment)).programIDL?.programID?.base58 == Self.escrow)

        for (path, program, expected) in [
            (bad.path, Self.escrow, "FLUTTERBYE_PROGRAM_IDL (\(bad.path)): the Anchor IDL does not read: event Paid's discriminator is not 8 bytes"),
            (directory.appendingPathComponent("none.json").path, Self.escrow, "FLUTTERBYE_PROGRAM_IDL: cannot read"),
            ("/dev/zero", Self.escrow, "FLUTTERBYE_PROGRAM_IDL: cannot read: /dev/zero is not a regular file (a character device)"),
            (directory.path, Self.escrow, "FLUTTERBYE_PROGRAM_IDL: cannot read: \(directory.path) is not a regular file (a directory)"),
            (good.path, nil, "FLUTTERBYE_PROGRAM_IDL is set but no program is"),
            (
                notAnIDL.path, Self.escrow,
                "FLUTTERBYE_PROGRAM_IDL (\(notAnIDL.path)): the Anchor IDL does not read: the document has no instructions list"
            ),
            (
                other.path, Self.escrow,
                "FLUTTERBYE_PROGRAM_IDL (\(other.path)) is the IDL of program \(Self.fee), not of the configured program \(Self.escrow)"
            ),
        ] {
            var environment = Self.base
            environment["FLUTTERBYE_PROGRAM_ID"] = program
            environment["FLUTTERBYE_PROGRAM_IDL"] = path
            #expect {
                try IndexerSettings(environment: ServiceEnvironment(environment))
            } throws: { error in
                "\(error)".contains(expected)
            }
        }
    }
}
