import ArgumentParser
import SolanaCore

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
