import Synchronization

/// Gathers the requests of concurrent callers into batches, each run as one statement, with at most `maxInFlight`
/// batches running at a time (River's batch completer and group commit work the same way). When nothing runs, a
/// request starts at once, together with whatever is already waiting: there is no timer, so a quiet queue adds no
/// latency. While a batch runs, another one starts beside it only once `minBatchAlongside` requests wait (else they
/// join the batch that follows the running one), so a busy queue sends fewer, larger statements instead of many
/// of one. Each caller gets its own result.
package final class StatementCoalescer<Request: Sendable, Output: Sendable>: Sendable {
    /// Runs one batch and returns one result per request, in order.
    package typealias RunBatch = @Sendable ([Request]) async -> [Result<Output, StoreError>]

    private struct Waiting {
        var request: Request
        var continuation: CheckedContinuation<Result<Output, StoreError>, Never>
    }

    private struct State {
        var waiting: [Waiting] = []
        var inFlight = 0

        mutating func take(_ limit: Int) -> [Waiting] {
            let count = min(limit, waiting.count)
            let batch = Array(waiting.prefix(count))
            waiting.removeFirst(count)
            return batch
        }
    }

    private let state = Mutex(State())
    private let maxInFlight: Int
    private let maxBatch: Int
    private let minBatchAlongside: Int
    private let runBatch: RunBatch

    package init(maxInFlight: Int, maxBatch: Int, minBatchAlongside: Int = 1, runBatch: @escaping RunBatch) {
        self.maxInFlight = max(1, maxInFlight)
        self.maxBatch = max(1, maxBatch)
        self.minBatchAlongside = min(max(1, minBatchAlongside), self.maxBatch)
        self.runBatch = runBatch
    }

    /// Runs `request` in the next batch. The batch runs in a task of its own, so cancelling one caller never
    /// cancels the statement that carries the others' requests (the caller still gets its result).
    package func submit(_ request: Request) async -> Result<Output, StoreError> {
        await withCheckedContinuation { continuation in
            let batch: [Waiting]? = state.withLock { state in
                state.waiting.append(Waiting(request: request, continuation: continuation))
                guard state.inFlight == 0 || (state.inFlight < maxInFlight && state.waiting.count >= minBatchAlongside) else {
                    return nil
                }
                state.inFlight += 1
                return state.take(maxBatch)
            }
            if let batch { Task { await self.drain(starting: batch) } }
        }
    }

    /// Runs `batch`, then whatever gathered meanwhile, until nothing waits; then gives its slot back.
    private func drain(starting batch: [Waiting]) async {
        var batch = batch
        while true {
            let results = await runBatch(batch.map(\.request))
            for (index, waiting) in batch.enumerated() {
                let result =
                    index < results.count
                    ? results[index] : .failure(StoreError(.queryFailed, "a batched statement returned no result for one of its requests"))
                waiting.continuation.resume(returning: result)
            }
            // The callers just answered usually ask again at once: letting them run first puts their next requests
            // in the batch that follows instead of a batch of their own (group commit).
            await Task.yield()
            let next: [Waiting]? = state.withLock { state in
                guard !state.waiting.isEmpty else {
                    state.inFlight -= 1
                    return nil
                }
                return state.take(maxBatch)
            }
            guard let next else { return }
            batch = next
        }
    }
}
