import Foundation

/// One line of the sender benchmark's final table: a measured figure, its target and whether the target is met.
struct SenderFigure: Sendable {
    /// Whether the figure meets its target.
    enum Verdict: String, Sendable {
        case met
        case missed = "MISSED"
        /// The workload stopped short (time limit, worker exit): the figure covers what it reached.
        case incomplete = "incomplete"
        /// A figure shown for information, without a target.
        case none = ""
    }

    var workload: String
    var name: String
    var value: String
    var target: String
    var verdict: Verdict

    /// A figure whose target is at most `limit` (`complete` false: the workload did not finish).
    static func atMost(
        _ workload: String, _ name: String, _ value: Double, _ limit: Double, unit: String, decimals: Int = 2, complete: Bool
    )
        -> SenderFigure
    {
        SenderFigure(
            workload: workload, name: name, value: "\(format(value, decimals)) \(unit)", target: "<= \(format(limit, decimals)) \(unit)",
            verdict: !complete ? .incomplete : value <= limit ? .met : .missed)
    }

    /// A figure whose target is at least `limit`.
    static func atLeast(
        _ workload: String, _ name: String, _ value: Double, _ limit: Double, unit: String, decimals: Int = 2, complete: Bool
    )
        -> SenderFigure
    {
        SenderFigure(
            workload: workload, name: name, value: "\(format(value, decimals)) \(unit)", target: ">= \(format(limit, decimals)) \(unit)",
            verdict: !complete ? .incomplete : value >= limit ? .met : .missed)
    }

    /// A figure without a target.
    static func info(_ workload: String, _ name: String, _ value: String) -> SenderFigure {
        SenderFigure(workload: workload, name: name, value: value, target: "", verdict: .none)
    }
}

/// The final table of `flutterbye-bench sender`: every figure of every workload run, with its target and verdict.
struct SenderSummary: Sendable {
    var figures: [SenderFigure] = []
    /// Workloads that failed outright, with why.
    var failures: [(workload: String, reason: String)] = []

    var table: String {
        let header = ["workload", "figure", "measured", "target", "verdict"]
        let rows =
            figures.map { [$0.workload, $0.name, $0.value, $0.target, $0.verdict.rawValue] }
            + failures.map { [$0.workload, "failed: \($0.reason.split(separator: "\n").first?.prefix(80) ?? "")", "", "", "FAILED"] }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var lines = ["summary:", line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        lines += rows.map(line)
        let targets = figures.filter { $0.verdict != .none }
        lines.append("\(targets.filter { $0.verdict == .met }.count) of \(targets.count) targets met")
        return lines.joined(separator: "\n")
    }
}
