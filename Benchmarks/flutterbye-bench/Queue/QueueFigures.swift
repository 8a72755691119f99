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
        let ordered = milliseconds.sorted()
        func percentile(_ p: Int) -> Double {
            guard !ordered.isEmpty else { return .nan }
            let rank = min(ordered.count, max(1, (p * ordered.count + 99) / 100))
            return ordered[rank - 1]
        }
        samples = ordered.count
        p50Ms = percentile(50)
        p99Ms = percentile(99)
        meanMs = ordered.isEmpty ? .nan : ordered.reduce(0, +) / Double(ordered.count)
        maxMs = ordered.last ?? .nan
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

/// The ratios and the targets: at least 2x pgqueuer's throughput, p50 enqueue-to-claim under 5 ms.
struct QueueComparison {
    var ours: QueueFigures
    var theirs: PgqueuerFigures?
    var settings: QueueBenchmarkSettings

    static let throughputTarget = 2.0
    static let latencyTargetMs = 5.0

    var report: String {
        var lines = ["ratios (TokenJobQueue / pgqueuer; target >= \(format(Self.throughputTarget, 1))x):"]
        if let theirs {
            lines.append(line("enqueue (\(settings.enqueuers) enqueuers)", ours.enqueue.perSecond, theirs.enqueue.perSecond))
            for drain in ours.drains {
                guard let other = theirs.drain.first(where: { $0.workers == drain.workers }) else { continue }
                let label = "claim+complete (\(drain.workers) worker\(drain.workers == 1 ? "" : "s"))"
                lines.append(line(label, drain.throughput.perSecond, Throughput(jobs: other.jobs, seconds: other.seconds).perSecond))
            }
            lines.append(
                "  enqueue-to-claim p50:          \(format(ours.latency.p50Ms, 2)) ms vs pgqueuer \(format(theirs.latency.p50Ms, 2)) ms"
                    + " (p99 \(format(ours.latency.p99Ms, 2)) vs \(format(theirs.latency.p99Ms, 2)) ms)")
        } else {
            lines.append("  (pgqueuer skipped)")
        }
        let met = ours.latency.p50Ms < Self.latencyTargetMs
        lines.append(
            "  p50 enqueue-to-claim target < \(format(Self.latencyTargetMs, 0)) ms: \(format(ours.latency.p50Ms, 2)) ms, \(met ? "met" : "MISSED")")
        return lines.joined(separator: "\n")
    }

    private func line(_ label: String, _ ours: Double, _ theirs: Double) -> String {
        let ratio = theirs > 0 ? ours / theirs : .nan
        let padded = label.padding(toLength: 30, withPad: " ", startingAt: 0)
        return
            "  \(padded) \(format(ratio, 2))x (\(format(ours, 0)) vs \(format(theirs, 0)) jobs/s): \(ratio >= Self.throughputTarget ? "met" : "MISSED")"
    }
}
