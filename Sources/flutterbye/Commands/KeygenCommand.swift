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
