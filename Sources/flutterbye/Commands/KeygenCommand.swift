import ArgumentParser
import Foundation
import SolanaCore

/// `flutterbye keygen`: writes a new random keypair as a Solana CLI JSON file readable only by its owner.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate a new keypair and write it as a Solana CLI keypair file (mode 0600); prints the public key."
    )

    @Option(name: .shortAndLong, help: "Where to write the keypair file.")
    var outfile: String

    @Flag(help: "Overwrite an existing file.")
    var force = false

    func run() throws {
        let manager = FileManager.default
        if manager.fileExists(atPath: outfile) && !force {
            throw CommandFailure("\(outfile) already exists; pass --force to overwrite it (the key in it would be lost)")
        }
        let keypair = Keypair.generate()
        let json = "[" + keypair.exportSecretKey().map(String.init).joined(separator: ",") + "]"
        // Create with 0600 before any secret byte is written.
        guard manager.createFile(atPath: outfile, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure("cannot create \(outfile): check the directory exists and is writable")
        }
        try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: outfile)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outfile))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(json.utf8))
        try handle.close()
        print("Wrote a new keypair to \(outfile)")
        print("pubkey: \(keypair.publicKey)")
    }
}

/// `flutterbye pubkey`: prints the public key of a keypair file or of `SOLANA_PRIVATE_KEY`.
struct PubkeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pubkey", abstract: "Print the public key of a keypair file, or of SOLANA_PRIVATE_KEY when no file is given.")

    @Option(name: .shortAndLong, help: "A Solana CLI keypair file.")
    var keypair: String?

    func run() throws {
        print(try KeySources.payer(keypairPath: keypair).publicKey)
    }
}

/// `flutterbye mint-address`: the deterministic mint address a token job with this idempotency key gets.
struct MintAddressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mint-address",
        abstract: "Print the mint address derived for a job's idempotency key (HKDF-SHA256 from FLUTTERBYE_MASTER_SEED).")

    @Option(name: .long, help: "The job's idempotency key.")
    var jobKey: String

    func run() throws {
        print(try KeySources.masterSeed().keypair(forJobKey: jobKey).publicKey)
    }
}

/// `flutterbye ata`: the associated token account of a wallet for a mint, for the Token or Token-2022 program.
struct AssociatedTokenAddressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ata", abstract: "Print a wallet's associated token account address for a mint.")

    @Option(help: "The wallet (owner) address.")
    var wallet: String

    @Option(help: "The mint address.")
    var mint: String

    @Flag(name: .customLong("token-2022"), help: "The mint belongs to the Token-2022 program.")
    var token2022 = false

    func run() throws {
        let program = token2022 ? TokenProgram.token2022 : TokenProgram.token
        let address = try AssociatedTokenAccountProgram.address(
            wallet: try KeySources.publicKey(wallet, name: "--wallet"), mint: try KeySources.publicKey(mint, name: "--mint"),
            tokenProgram: program.programID)
        print(address)
    }
}
