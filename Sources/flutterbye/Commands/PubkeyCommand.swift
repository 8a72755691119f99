import ArgumentParser
import SolanaCore

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
