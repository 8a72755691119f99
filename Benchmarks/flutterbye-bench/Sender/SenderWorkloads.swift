import ArgumentParser
import Foundation

/// The workloads of `flutterbye-bench sender`.
enum SenderWorkload: String, CaseIterable, ExpressibleByArgument, Sendable {
    case calls
    case throughput
    case latency
    case rateLimited = "rate-limited"
}

/// Measures each workload on a rig of its own, through the worker's process and environment only, and prints
/// what it finds as it goes; each returns its figures for the summary.
struct SenderWorkloads: Sendable {
    /// The targets of the sender's rewrite.
    static let callsPerJobTarget = 1.3
    static let throughputRatioTarget = 0.5
    static let latencyP50Target = 4.0
    static let latencyP99Target = 10.0
    static let rateLimitedTarget = 12.0
    /// local_chain.py's default --confirm-depth: a transaction of slot s is confirmed once the chain is at s + 1.
    static let confirmDepth = 1

    var settings: SenderRigSettings
    var callJobs: Int
    var throughputJobs: Int
    var latencyJobs: Int
    var latencyInterval: Duration
    var rateLimitedJobs: Int
    var requestsPerSecond: Int
    var reference: TokenSenderReference?
    var referencePreflight: [Bool]

    // MARK: calls

    /// `calls`: JSON-RPC calls per landed job, by method, counted by the chain from just before the worker starts:
    /// when every job has landed, when every one is finalized, and after the worker stopped (SIGTERM).
    func calls() async throws -> [SenderFigure] {
        let count = callJobs
        say("calls: \(count) jobs enqueued at once, no faults; the chain counts JSON-RPC calls from the worker's start")
        return try await SenderRig.run("calls", settings: settings) { rig in
            try await rig.chain.resetCounters()
            try await rig.startWorker()
            let start = ContinuousClock.now
            try await rig.jobs.enqueue(prefix: "calls", indices: 0...(count - 1), recipient: rig.recipient)
            let landed = try await rig.wait(for: "every job landed") { $0.settled >= count }
            let atLanded = try await rig.chain.state()
            say("  \(landed.progress.text) after \(format(start.duration(to: landed.at).seconds, 1)) s")
            var finalized = landed
            if landed.reached {
                finalized = try await rig.wait(for: "every job finalized") { $0.finalizedOrGone >= count }
                say("  \(finalized.progress.text) after \(format(start.duration(to: finalized.at).seconds, 1)) s")
            }
            let atFinalized = try await rig.chain.state()
            let status = rig.stopWorker()
            let afterStop = try await rig.chain.state()
            let stopped = try await rig.jobs.progress()
            say("  worker stopped: \(status.map { "exit \($0)" } ?? "killed after 30 s or died of a signal"); \(stopped.text)")

            let moments: [(name: String, state: ChainState, landed: Int)] = [
                ("all confirmed", atLanded, landed.progress.landed), ("all finalized", atFinalized, finalized.progress.landed),
                ("after SIGTERM", afterStop, stopped.landed),
            ]
            say(Self.callTable(moments))
            let transactions = afterStop.transactions
            let perJob = { (name: String) in format(Double(transactions[name] ?? 0) / Double(max(stopped.landed, 1)), 2) }
            say(
                "  transactions per landed job after stop: executed \(perJob("executed")) (failed \(perJob("failed"))), "
                    + "not landed (duplicates, expired) \(perJob("not_landed")), preflight failed \(perJob("preflight_failed"))")
            let complete = landed.reached && finalized.reached && stopped.landed == count
            func total(_ state: ChainState, _ jobs: Int) -> Double { Double(state.totalRequests) / Double(max(jobs, 1)) }
            return [
                .info("calls", "JSON-RPC calls per landed job, all confirmed", format(total(atLanded, landed.progress.landed), 2) + " calls"),
                .info("calls", "JSON-RPC calls per landed job, all finalized", format(total(atFinalized, finalized.progress.landed), 2) + " calls"),
                .atMost(
                    "calls", "JSON-RPC calls per landed job, after SIGTERM", total(afterStop, stopped.landed), Self.callsPerJobTarget, unit: "calls",
                    complete: complete),
            ]
        }
    }

    /// Calls per landed job by method (most frequent first) at each moment, and the totals.
    static func callTable(_ moments: [(name: String, state: ChainState, landed: Int)]) -> String {
        let methods = Set(moments.flatMap { $0.state.requests.keys }).sorted {
            (moments.last?.state.requests[$0] ?? 0, $1) > (moments.last?.state.requests[$1] ?? 0, $0)
        }
        let width = max(28, (methods.map(\.count).max() ?? 0) + 2)
        func cell(_ count: Int, _ landed: Int) -> String {
            format(Double(count) / Double(max(landed, 1)), 3).padding(toLength: 16, withPad: " ", startingAt: 0)
        }
        var lines = ["  JSON-RPC calls per landed job, counted by the local chain:"]
        lines.append(
            "    " + "method".padding(toLength: width, withPad: " ", startingAt: 0)
                + moments.map { $0.name.padding(toLength: 16, withPad: " ", startingAt: 0) }.joined())
        for method in methods {
            lines.append(
                "    " + method.padding(toLength: width, withPad: " ", startingAt: 0)
                    + moments.map { cell($0.state.requests[method] ?? 0, $0.landed) }.joined())
        }
        lines.append(
            "    " + "total".padding(toLength: width, withPad: " ", startingAt: 0) + moments.map { cell($0.state.totalRequests, $0.landed) }.joined())
        lines.append(
            "    " + "(landed jobs)".padding(toLength: width, withPad: " ", startingAt: 0)
                + moments.map { String($0.landed).padding(toLength: 16, withPad: " ", startingAt: 0) }.joined())
        return lines.map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }.joined(separator: "\n")
    }

    // MARK: Bursts: throughput and rate-limited

    /// What a burst of jobs enqueued at once reached.
    struct Burst: Sendable {
        var jobs: Int
        var landed: Int
        /// First `created_at` to last `confirmed_at`, on the database's clock.
        var seconds: Double
        /// From just before the enqueue to the poll that saw the last job land.
        var wallSeconds: Double
        var requests: Int
        var complete: Bool

        var rate: Double { seconds > 0 ? Double(landed) / seconds : 0 }
        var wallRate: Double { wallSeconds > 0 ? Double(landed) / wallSeconds : 0 }
        var text: String {
            "\(landed)/\(jobs) landed, first enqueue to last confirmation \(format(seconds, 2)) s = \(format(rate, 2)) jobs/s "
                + "(wall \(format(wallSeconds, 2)) s = \(format(wallRate, 2)) jobs/s); \(format(Double(requests) / Double(max(landed, 1)), 2)) "
                + "JSON-RPC calls per landed job, \(format(Double(requests) / max(wallSeconds, 0.001), 1)) calls/s"
        }
    }

    /// Starts the worker (with `extra` settings), enqueues `count` jobs at once and waits until all landed.
    private func burst(_ name: String, count: Int, extra: [String: String] = [:]) async throws -> Burst {
        try await SenderRig.run(name, settings: settings) { rig in
            try await rig.chain.resetCounters()
            try await rig.startWorker(extra: extra)
            let start = ContinuousClock.now
            try await rig.jobs.enqueue(prefix: name, indices: 0...(count - 1), recipient: rig.recipient)
            let landed = try await rig.wait(for: "every job landed") { $0.settled >= count }
            let state = try await rig.chain.state()
            let span = try await rig.jobs.landedSpan()
            return Burst(
                jobs: count, landed: span.landed, seconds: span.seconds ?? 0, wallSeconds: start.duration(to: landed.at).seconds,
                requests: state.totalRequests, complete: landed.reached && span.landed == count)
        }
    }

    /// `throughput`: jobs per second from the first enqueue to the last confirmation, against the solders sender's
    /// landed transactions per second on fresh chains (preflight on and off; the faster is the chain's limit).
    func throughput() async throws -> [SenderFigure] {
        say("throughput: \(throughputJobs) jobs enqueued at once")
        let ours = try await burst("throughput", count: throughputJobs)
        say("  ours: \(ours.text)")
        var figures: [SenderFigure] = [
            .info("throughput", "first enqueue to last confirmation" + (ours.complete ? "" : " (incomplete)"), format(ours.rate, 2) + " jobs/s")
        ]
        guard let reference else { return figures }
        var rates: [(preflight: Bool, rate: Double)] = []
        for preflight in referencePreflight {
            let setting = "preflight \(preflight ? "on" : "off")"
            do {
                let result = try reference.run(preflight: preflight)
                say("  reference (solders, pre-signed, fresh chain) \(result.report)")
                rates.append((preflight, result.landedPerSecond))
                figures.append(
                    .info(
                        "throughput", "reference, \(setting)" + (result.complete ? "" : " (incomplete)"), format(result.landedPerSecond, 1) + " tx/s")
                )
            } catch {
                say("  reference, \(setting): \(error)")
                figures.append(.info("throughput", "reference, \(setting)", "failed"))
            }
        }
        guard let fastest = rates.max(by: { $0.rate < $1.rate }), fastest.rate > 0 else { return figures }
        for (preflight, rate) in rates {
            say("  ratio: \(format(ours.rate / rate, 3)) of the reference with preflight \(preflight ? "on" : "off") (\(format(rate, 1)) tx/s)")
        }
        figures.append(
            .atLeast(
                "throughput", "ratio to the chain's limit (preflight \(fastest.preflight ? "on" : "off"))", ours.rate / fastest.rate,
                Self.throughputRatioTarget, unit: "x", decimals: 3, complete: ours.complete))
        return figures
    }

    /// `rate-limited`: jobs per second with SOLANA_RPC_REQUESTS_PER_SECOND set.
    func rateLimited() async throws -> [SenderFigure] {
        say("rate-limited: \(rateLimitedJobs) jobs enqueued at once, the worker limited to \(requestsPerSecond) JSON-RPC requests per second")
        let result = try await burst("rate-limited", count: rateLimitedJobs, extra: ["SOLANA_RPC_REQUESTS_PER_SECOND": String(requestsPerSecond)])
        say("  \(result.text)")
        return [
            .atLeast(
                "rate-limited", "jobs/s at \(requestsPerSecond) requests/s", result.rate, Self.rateLimitedTarget, unit: "jobs/s",
                complete: result.complete)
        ]
    }
}
