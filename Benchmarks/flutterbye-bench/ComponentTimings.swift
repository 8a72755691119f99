import ArgumentParser
import Foundation
import SolanaCore

/// Times the parts of the token-creation workload separately, to see where the time goes.
struct ComponentTimingsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "components", abstract: "Time key generation, signing, ATA derivation, message compilation and base58 separately.")

    @Option(help: "Repetitions of each part.")
    var iterations = 20_000

    func run() throws {
        let payer = try Keypair(seed: [UInt8](repeating: 1, count: 32))
        let recipient = try Keypair(seed: [UInt8](repeating: 2, count: 32)).publicKey
        let blockhash = try Blockhash(bytes: [UInt8](repeating: 3, count: 32))
        let mint = Keypair.generate()
        let message = try LegacyMessage(
            payer: payer.publicKey, instructions: [MemoProgram.memo("x", signers: [payer.publicKey])], recentBlockhash: blockhash)
        let bytes = message.serialized()
        var sink = 0
        func time(_ name: String, _ body: () throws -> Void) rethrows {
            let clock = ContinuousClock()
            let elapsed = try clock.measure { for _ in 0..<iterations { try body() } }
            let micros = elapsed.microseconds / Double(iterations)
            print("\(name): \(String(format: "%.2f", micros)) µs")
        }
        time("Keypair.generate") { sink &+= Int(Keypair.generate().publicKey.bytes[0]) }
        time("sign 200 bytes") { sink &+= Int(payer.sign(bytes).bytes[0]) }
        try time("ATA findProgramAddress") {
            sink &+= Int(
                try AssociatedTokenAccountProgram.address(
                    wallet: recipient, mint: Keypair.generate().publicKey, tokenProgram: TokenProgram.token.programID
                ).bytes[0])
        }
        time("isOnCurve") { sink &+= Ed25519Curve.isOnCurve(mint.publicKey) ? 1 : 0 }
        try time("compile+serialize") {
            let instructions = [
                ComputeBudgetProgram.setComputeUnitLimit(60_000),
                SystemProgram.createAccount(
                    from: payer.publicKey, newAccount: mint.publicKey, lamports: 1, space: 82, owner: TokenProgram.token.programID),
                TokenProgram.token.initializeMint2(mint: mint.publicKey, decimals: 6, mintAuthority: payer.publicKey, freezeAuthority: nil),
                TokenProgram.token.mintTo(mint: mint.publicKey, destination: recipient, authority: payer.publicKey, amount: 1),
                MemoProgram.memo("flutterbye job bench-1", signers: [payer.publicKey]),
            ]
            sink &+= try LegacyMessage(payer: payer.publicKey, instructions: instructions, recentBlockhash: blockhash).serialized().count
        }
        // Many different texts, as in an RPC answer: the same text over and over lets the branch predictor learn it.
        let keyTexts = (0..<1024).map { _ in Keypair.generate().publicKey.base58 }
        let signatureTexts = (0..<1024).map { payer.sign(Array("message \($0)".utf8)).base58 }
        var next = 0
        try time("base58 decode key") {
            next = (next + 1) & 1023
            sink &+= Int(try PublicKey(base58: keyTexts[next]).withBytes { $0[0] })
        }
        try time("base58 decode signature") {
            next = (next + 1) & 1023
            sink &+= try Signature(base58: signatureTexts[next]).hashValue
        }
        let signature = payer.sign(bytes)
        time("base58 encode signature") { sink &+= signature.base58.utf8.count }
        print("(checksum \(sink))")
    }
}
