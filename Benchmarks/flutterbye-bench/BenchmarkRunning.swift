import Dispatch
import Foundation
import SolanaCore
import Synchronization

/// A benchmark step that went wrong, with what to do about it.
struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs async work from the synchronous `run()` of this command (the benchmark's root command is a synchronous
/// `ParsableCommand`): the main thread waits while the work runs on the global executor.
func runBlocking<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) throws -> Result {
    let box = BlockingResult<Result>()
    let done = DispatchSemaphore(value: 0)
    Task {
        let result: Swift.Result<Result, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        box.set(result)
        done.signal()
    }
    done.wait()
    guard let result = box.get() else { throw BenchmarkFailure("the benchmark task ended without a result") }
    return try result.get()
}

/// Hands the result of `runBlocking`'s task to the waiting thread.
final class BlockingResult<Value: Sendable>: Sendable {
    private let value = Mutex<Swift.Result<Value, any Error>?>(nil)
    func set(_ result: Swift.Result<Value, any Error>) { value.withLock { $0 = result } }
    func get() -> Swift.Result<Value, any Error>? { value.withLock { $0 } }
}

/// Durations as the floating-point figures the report prints.
extension Duration {
    var seconds: Double { totalSeconds }
    var milliseconds: Double { seconds * 1000 }
    var microseconds: Double { seconds * 1_000_000 }
}

/// Writes a line to stdout unbuffered, so that each figure shows as soon as it is measured, also through a pipe.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// `value` with `decimals` digits after the point.
func format(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

/// The `p`th percentile of `values` by nearest rank (the smallest value with at least p% of them at or below it); NaN
/// for none.
func percentile(_ p: Int, of values: [Double]) -> Double {
    let ordered = values.sorted()
    guard !ordered.isEmpty else { return .nan }
    return ordered[min(ordered.count, max(1, (p * ordered.count + 99) / 100)) - 1]
}
