import ChainTestSupport
import FlutterbyeTestSupport
import Foundation
import SolanaCore
import Testing

/// A history of FLBY activity made on a local chain by `Tests/LocalChain/flby_history.py` while a test indexes it:
/// the script writes the watched addresses first, then sends, then writes what every view must contain, computed
/// from what it sent. See the script's docstring for the rules.
final class GeneratedHistory: @unchecked Sendable {
    /// The addresses the indexer must watch.
    struct Setup: Decodable, Sendable {
        let mint: String
        let escrow: String
        let fee: String
        let decimals: Int
    }

    /// The views' expected content.
    struct Expected: Decodable, Sendable {
        struct Transaction: Decodable, Sendable {
            let signature: String
            let slot: UInt64
            let fee: UInt64
            let failed: Bool
            let memo: String?
            let relevant: Bool
            /// What the generator made it as (`airdrop`, `transfer`, `reopen_close`, ...).
            let kind: String?
        }
        struct Movement: Decodable, Sendable {
            let signature: String
            let instruction_index: Int
            let inner_index: Int?
            let kind: String
            let source_account: String?
            let source_owner: String?
            let destination_account: String?
            let destination_owner: String?
            let amount: String
        }
        struct Balance: Decodable, Sendable {
            let token_account: String
            let owner: String
            let amount: String
        }
        struct Supply: Decodable, Sendable {
            let minted: String
            let burned: String
            let supply: String
        }
        struct Activity: Decodable, Sendable {
            let wallet: String
            let signature: String
            let lamports_delta: Int64
            let flby_delta: String
            let fee: UInt64
            let failed: Bool
            let memo: String?
        }
        let transactions: [Transaction]
        let movements: [Movement]
        let balances: [Balance]
        let supply: Supply
        let wallet_activity: [Activity]
        let wallet_lamports: [String: UInt64]
    }

    static var script: URL { Repository.root.appendingPathComponent("Tests/LocalChain/flby_history.py") }

    let directory: URL
    let process = Process()
    let log: URL

    /// Starts the script against `rpcURL`; `arguments` adds `--count`, `--mix` (default, fee-payments, churn, reopen),
    /// `--pace-ms`, `--seed`.
    init(rpcURL: URL, arguments: [String]) throws {
        let python = try #require(LiteSVMSession.python, "run the tests with Tests/run (it creates .venv)")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("flby-history-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        log = directory.appendingPathComponent("generator.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments =
            [
                Self.script.path, "--rpc", rpcURL.absoluteString, "--setup-out", directory.appendingPathComponent("setup.json").path,
                "--out", directory.appendingPathComponent("expected.json").path,
            ] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The watched addresses, once the script wrote them.
    func setup() async throws -> Setup {
        let file = directory.appendingPathComponent("setup.json")
        for _ in 0..<600 {
            if let data = try? Data(contentsOf: file) { return try JSONDecoder().decode(Setup.self, from: data) }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw GeneratorFailure(description: "flby_history.py wrote no setup: \(tail())")
    }

    /// Waits for the script to finish and returns its expectations.
    func expected() async throws -> Expected {
        while process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        guard process.terminationStatus == 0 else {
            throw GeneratorFailure(description: "flby_history.py failed with status \(process.terminationStatus): \(tail())")
        }
        let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
        return try JSONDecoder().decode(Expected.self, from: data)
    }

    func tail(_ lines: Int = 20) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    struct GeneratorFailure: Error, CustomStringConvertible {
        let description: String
    }
}
