import Foundation

/// The throughput workload's reference: Benchmarks/reference/solders_token_sender.py lands pre-signed token-creation
/// transactions on a fresh local chain (same slot time) as fast as the chain takes them, with or without preflight.
struct TokenSenderReference: Sendable {
    /// What the script reports for one preflight setting.
    struct Figures: Sendable, Decodable {
        /// One strategy's trial before the measured run.
        struct Trial: Sendable, Decodable {
            var strategy: String
            var sentPerSecond: Double
            var landedPerSecond: Double
            var complete: Bool
        }

        var preflight: Bool
        var strategy: String
        var transactions: Int
        var landed: Int
        var seconds: Double
        var landedPerSecond: Double
        var sendSeconds: Double
        var resent: Int
        var sendErrors: Int
        var complete: Bool
        var calibration: [Trial]

        var report: String {
            let trials = calibration.map { "\($0.strategy) \(format($0.sentPerSecond, 0))" }.joined(separator: ", ")
            return "preflight \(preflight ? "on" : "off"): \(landed)/\(transactions) landed in \(format(seconds, 2)) s = "
                + "\(format(landedPerSecond, 0)) tx/s with strategy \(strategy) (sends took \(format(sendSeconds, 2)) s; "
                + "resent \(resent), send errors \(sendErrors)); trials, tx/s sent: \(trials)"
        }
    }

    var python: String
    var slotMs: Int
    var transactions: Int
    /// Seconds one run of the script may take.
    var timeLimit: Duration
    var processes: ChildProcesses
    var logDirectory: URL

    /// Runs the script against a chain started for it, and stops the chain.
    func run(preflight: Bool) throws -> Figures {
        let setting = preflight ? "on" : "off"
        let chain = try LocalChainProcess(
            python: python, slotMs: slotMs, log: logDirectory.appendingPathComponent("reference-preflight-\(setting)-chain.log"),
            processes: processes)
        defer { chain.stop(processes) }
        let output = logDirectory.appendingPathComponent("reference-preflight-\(setting).json")
        let script = BenchmarkPaths.root.appendingPathComponent("Benchmarks/reference/solders_token_sender.py").path
        // The script's progress goes to our standard error, its result to `output`.
        let process = try BenchmarkProcess(
            python,
            [
                script, "--url", chain.url, "--preflight", setting, "--transactions", String(transactions), "--time-limit",
                String(Int(timeLimit.seconds)),
                "--output", output.path,
            ],
            readyLine: false)
        processes.add(process, grace: .seconds(5))
        let status = process.wait()
        processes.stop(process, within: .seconds(1))
        let data = (try? Data(contentsOf: output)) ?? Data()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        if status == 0, let figures = try? decoder.decode(Figures.self, from: data) { return figures }
        if let failure = try? decoder.decode([String: String].self, from: data), let message = failure["error"] {
            throw BenchmarkFailure("the solders sender (preflight \(setting)) failed: \(message)")
        }
        throw BenchmarkFailure("the solders sender (preflight \(setting)) failed (exit \(status)): \(String(decoding: data, as: UTF8.self))")
    }
}
