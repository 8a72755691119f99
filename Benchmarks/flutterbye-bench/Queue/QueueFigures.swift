import Foundation

/// Jobs over seconds, and the CPU time the run took on each side when it was measured.
struct Throughput: Sendable, Decodable {
    var jobs: Int
    var seconds: Double
    var cpu: CPUSplit? = nil
    var perSecond: Double { seconds > 0 ? Double(jobs) / seconds : 0 }

    /// "10000 jobs in 0.726 s = 13778 jobs/s; CPU per job: client 30 µs, PostgreSQL 80 µs".
    var text: String {
        var text = "\(jobs) jobs in \(format(seconds, 3)) s = \(format(perSecond, 0)) jobs/s"
        if let cpu, jobs > 0 {
            text +=
                "; CPU per job: client \(format(cpu.client / Double(jobs) * 1e6, 0)) µs, PostgreSQL \(format(cpu.postgres / Double(jobs) * 1e6, 0)) µs"
        }
        return text
    }
}

/// CPU seconds (user + system) one run took in the queue's client process and in all PostgreSQL processes.
struct CPUSplit: Sendable, Decodable {
    var client: Double
    var postgres: Double

    init(_ cpu: ProcessCPU) {
        client = cpu.benchmark
        postgres = cpu.postgres
    }
}

/// One claim+complete run.
struct DrainFigure: Sendable {
    var workers: Int
    var throughput: Throughput
}

/// Enqueue-to-claim latencies in milliseconds: nearest-rank percentiles (the same definition on both sides).
struct LatencySummary: Sendable, Decodable {
    var samples: Int
    var p50Ms: Double
    var p99Ms: Double
    var meanMs: Double
    var maxMs: Double

    init(_ milliseconds: [Double]) {
        samples = milliseconds.count
        p50Ms = percentile(50, of: milliseconds)
        p99Ms = percentile(99, of: milliseconds)
        meanMs = milliseconds.isEmpty ? .nan : milliseconds.reduce(0, +) / Double(milliseconds.count)
        maxMs = milliseconds.max() ?? .nan
    }

    var text: String {
        "p50 \(format(p50Ms, 2)) ms, p99 \(format(p99Ms, 2)) ms (mean \(format(meanMs, 2)), max \(format(maxMs, 2)); \(samples) samples)"
    }
}

/// TokenJobQueue's figures.
struct QueueFigures: Sendable {
    var enqueue: Throughput
    var drains: [DrainFigure]
    var latency: LatencySummary

    func report(name: String) -> String {
        var lines = ["\(name):"]
        lines.append("  enqueue:          \(enqueue.text)")
        for drain in drains {
            lines.append("  claim+complete:   \(drain.workers) worker\(drain.workers == 1 ? " " : "s"), \(drain.throughput.text)")
        }
        lines.append("  enqueue-to-claim: \(latency.text)")
        return lines.joined(separator: "\n")
    }
}

/// One round: each side measured once, one after the other, on databases of their own.
struct QueueRound: Sendable {
    var ours: QueueFigures
    var theirs: PgqueuerFigures?
}

/// The ratios and the targets over the rounds: at least 2x pgqueuer's throughput, p50 enqueue-to-claim under 5 ms.
/// Each row's verdict is the median of the rounds' ratios (each round's two sides ran under the same load of the
/// machine, minutes apart at most), with every round's ratio shown: single runs of either side vary by 10-30%.
struct QueueComparison {
    var rounds: [QueueRound]
    var settings: QueueBenchmarkSettings

    static let throughputTarget = 2.0
    static let latencyTargetMs = 5.0

    var report: String {
        let count = rounds.count
        var lines = [
            "ratios (TokenJobQueue / pgqueuer; target >= \(format(Self.throughputTarget, 1))x; the median of \(count) round\(count == 1 ? "" : "s")):"
        ]
        let paired = rounds.compactMap { round in round.theirs.map { (ours: round.ours, theirs: $0) } }
        if paired.count == rounds.count, !paired.isEmpty {
            lines.append(
                line(
                    "enqueue (\(settings.enqueuers) enqueuers)",
                    paired.map { ($0.ours.enqueue.perSecond, $0.theirs.enqueue.perSecond) }))
            for workers in settings.workerCounts {
                let pairs: [(Double, Double)] = paired.compactMap { pair in
                    guard let drain = pair.ours.drains.first(where: { $0.workers == workers }),
                        let other = pair.theirs.drain.first(where: { $0.workers == workers })
                    else { return nil }
                    return (drain.throughput.perSecond, Throughput(jobs: other.jobs, seconds: other.seconds).perSecond)
                }
                guard pairs.count == paired.count else { continue }
                lines.append(line("claim+complete (\(workers) worker\(workers == 1 ? "" : "s"))", pairs))
            }
            let p50 = (median(paired.map(\.ours.latency.p50Ms)), median(paired.map(\.theirs.latency.p50Ms)))
            let p99 = (median(paired.map(\.ours.latency.p99Ms)), median(paired.map(\.theirs.latency.p99Ms)))
            lines.append(
                "  enqueue-to-claim p50:          \(format(p50.0, 2)) ms vs pgqueuer \(format(p50.1, 2)) ms"
                    + " (p99 \(format(p99.0, 2)) vs \(format(p99.1, 2)) ms; medians)")
        } else {
            lines.append("  (pgqueuer skipped)")
        }
        let ourP50 = median(rounds.map(\.ours.latency.p50Ms))
        let met = ourP50 < Self.latencyTargetMs
        lines.append("  p50 enqueue-to-claim target < \(format(Self.latencyTargetMs, 0)) ms: \(format(ourP50, 2)) ms, \(met ? "met" : "MISSED")")
        return lines.joined(separator: "\n")
    }

    /// A row: the median ratio and jobs/s of each side, then each round's ratio.
    private func line(_ label: String, _ pairs: [(ours: Double, theirs: Double)]) -> String {
        let ratios = pairs.map { $0.theirs > 0 ? $0.ours / $0.theirs : .nan }
        let ratio = median(ratios)
        let padded = label.padding(toLength: 30, withPad: " ", startingAt: 0)
        let each = ratios.map { format($0, 2) + "x" }.joined(separator: ", ")
        return "  \(padded) \(format(ratio, 2))x (\(format(median(pairs.map(\.ours)), 0)) vs \(format(median(pairs.map(\.theirs)), 0)) jobs/s; "
            + "rounds: \(each)): \(ratio >= Self.throughputTarget ? "met" : "MISSED")"
    }
}

/// The middle value (the mean of the two middle ones for an even count); nan for none.
func median(_ values: [Double]) -> Double {
    let ordered = values.sorted()
    guard !ordered.isEmpty else { return .nan }
    let middle = ordered.count / 2
    return ordered.count % 2 == 1 ? ordered[middle] : (ordered[middle - 1] + ordered[middle]) / 2
}
