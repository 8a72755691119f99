import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import SolanaCore

/// Starts the benchmark runner with Swift concurrency on NIO's event loops, as `flutterbye` runs (FlutterbyeEntry).
@main
enum FlutterbyeBenchEntry {
    static func main() {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        FlutterbyeBench.main()
    }
}

/// The benchmark runner: each subcommand measures one workload here and, in the same run, the named reference
/// implementation, and prints both rates and their ratio. Run with `swift run -c release flutterbye-bench`.
struct FlutterbyeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flutterbye-bench",
        abstract: "Benchmarks of the Flutterbye chain worker against reference implementations.",
        subcommands: [
            TokenCreationBenchmark.self, ComponentTimingsBenchmark.self, QueueBenchmark.self, IndexBenchmark.self, SenderBenchmark.self,
            IdleBenchmark.self,
        ],
        defaultSubcommand: TokenCreationBenchmark.self
    )
}

/// Builds and signs the token-creation transaction N times (a new mint keypair each time), in Swift and with
/// solders in Python, and reports transactions per second and the ratio.
struct TokenCreationBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token-creation", abstract: "Build+sign token-creation transactions: SolanaCore vs solders.")

    @Option(help: "Transactions to build in each implementation.")
    var iterations = 20_000

    @Option(help: "Python with solders installed (default: FLUTTERBYE_PYTHON, else .venv/bin/python).")
    var python: String?

    func run() throws {
        let payer = try Keypair(seed: [UInt8](repeating: 1, count: 32))
        let recipient = try Keypair(seed: [UInt8](repeating: 2, count: 32)).publicKey
        let blockhash = try Blockhash(bytes: [UInt8](repeating: 3, count: 32))
        let size = try TokenCreationWorkload.build(payer: payer, recipient: recipient, blockhash: blockhash).count

        // Warm up, then measure.
        for _ in 0..<min(1000, iterations) { _ = try TokenCreationWorkload.build(payer: payer, recipient: recipient, blockhash: blockhash) }
        let clock = ContinuousClock()
        var checksum = 0
        let elapsed = try clock.measure {
            for _ in 0..<iterations {
                checksum &+= try TokenCreationWorkload.build(payer: payer, recipient: recipient, blockhash: blockhash).count
            }
        }
        let seconds = elapsed.seconds
        let swiftRate = Double(iterations) / seconds
        print(
            "SolanaCore: \(iterations) token-creation transactions (\(size) bytes each) in \(String(format: "%.3f", seconds)) s = \(String(format: "%.0f", swiftRate)) tx/s (checksum \(checksum))"
        )

        let reference = try runSolders()
        print(
            "solders:    \(reference.iterations) transactions (\(reference.bytes) bytes each) in \(String(format: "%.3f", reference.seconds)) s = \(String(format: "%.0f", reference.rate)) tx/s"
        )
        print("ratio:      \(String(format: "%.2f", swiftRate / reference.rate))x solders' rate")
        if reference.bytes != size {
            print("warning: the two implementations built transactions of different sizes (\(size) vs \(reference.bytes))")
        }
    }

    private func runSolders() throws -> (iterations: Int, seconds: Double, rate: Double, bytes: Int) {
        let root = BenchmarkPaths.root
        let interpreter = try BenchmarkPaths.python(python)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = [root.appendingPathComponent("Benchmarks/reference/solders_token_creation.py").path, String(iterations)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let seconds = object["seconds"] as? Double, let rate = object["transactions_per_second"] as? Double
        else {
            throw ValidationError("the solders benchmark failed (exit \(process.terminationStatus)): \(String(decoding: data, as: UTF8.self))")
        }
        return (object["iterations"] as? Int ?? 0, seconds, rate, object["bytes"] as? Int ?? 0)
    }
}

/// The transaction the token worker sends for a classic SPL token: compute budget, make (transfer, allocate, assign)
/// and initialise the mint, create the recipient's associated token account, mint the supply, and a memo.
enum TokenCreationWorkload {
    static let rent: UInt64 = 1_461_600

    static func build(payer: Keypair, recipient: PublicKey, blockhash: Blockhash) throws -> [UInt8] {
        let mint = Keypair.generate()
        let token = TokenProgram.token
        let ata = try AssociatedTokenAccountProgram.address(wallet: recipient, mint: mint.publicKey, tokenProgram: token.programID)
        let instructions = [
            ComputeBudgetProgram.setComputeUnitLimit(60_000),
            ComputeBudgetProgram.setComputeUnitPrice(microLamports: 5_000),
            SystemProgram.transfer(from: payer.publicKey, to: mint.publicKey, lamports: rent),
            SystemProgram.allocate(account: mint.publicKey, space: 82),
            SystemProgram.assign(account: mint.publicKey, owner: token.programID),
            token.initializeMint2(mint: mint.publicKey, decimals: 6, mintAuthority: payer.publicKey, freezeAuthority: nil),
            AssociatedTokenAccountProgram.createIdempotent(
                payer: payer.publicKey, associatedTokenAccount: ata, wallet: recipient, mint: mint.publicKey, tokenProgram: token.programID),
            token.mintTo(mint: mint.publicKey, destination: ata, authority: payer.publicKey, amount: 1_000_000_000),
            MemoProgram.memo("flutterbye job bench-1", signers: [payer.publicKey]),
        ]
        let message = try LegacyMessage(payer: payer.publicKey, instructions: instructions, recentBlockhash: blockhash)
        return try Transaction(message: .legacy(message), signers: [payer, mint]).serialized()
    }
}
