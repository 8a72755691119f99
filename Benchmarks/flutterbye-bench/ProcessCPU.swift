import Foundation

/// CPU time (user + system) taken so far by this process and by every PostgreSQL process on the machine, read from
/// `/proc`, so a benchmark can say which side a phase's time went to. Zero where `/proc` is not there.
struct ProcessCPU: Sendable {
    var benchmark: Double
    var postgres: Double

    static func now() -> ProcessCPU {
        var postgres = 0.0
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries where entry.first?.isNumber == true {
            if let (name, seconds) = stat("/proc/\(entry)/stat"), name == "postgres" { postgres += seconds }
        }
        return ProcessCPU(benchmark: stat("/proc/self/stat")?.seconds ?? 0, postgres: postgres)
    }

    static func - (lhs: ProcessCPU, rhs: ProcessCPU) -> ProcessCPU {
        ProcessCPU(benchmark: lhs.benchmark - rhs.benchmark, postgres: lhs.postgres - rhs.postgres)
    }

    /// The command name and utime + stime of one `/proc/<pid>/stat`.
    private static func stat(_ path: String) -> (name: String, seconds: Double)? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
        else { return nil }
        let name = String(text[text.index(after: open)..<close])
        // Fields after the name: state is field 3; utime and stime are fields 14 and 15.
        let fields = text[text.index(close, offsetBy: 2)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (name, (user + system) / Double(sysconf(Int32(_SC_CLK_TCK))))
    }
}
