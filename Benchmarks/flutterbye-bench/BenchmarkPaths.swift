import ArgumentParser
import Foundation

/// Where a benchmark finds the files it runs: the repository it was built from (the reference scripts and the local
/// chain live there) and the Python that runs them.
enum BenchmarkPaths {
    /// The repository's root, from this source file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `option` (a `--python`), else FLUTTERBYE_PYTHON, else the repository's .venv (Tests/Support/python-venv.sh makes
    /// it, with solders); a validation error when that is not an executable.
    static func python(_ option: String?) throws -> String {
        let interpreter = option ?? ProcessInfo.processInfo.environment["FLUTTERBYE_PYTHON"] ?? root.appendingPathComponent(".venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: interpreter) else {
            throw ValidationError("no Python with solders at \(interpreter): run Tests/run once (it creates .venv) or pass --python")
        }
        return interpreter
    }
}
