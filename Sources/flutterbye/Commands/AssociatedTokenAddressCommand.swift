import ArgumentParser
import SolanaCore

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
