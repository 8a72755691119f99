import FlutterbyeStore
import Foundation
import Logging
import PostgresNIO
import SolanaCore
import Synchronization

/// The TokenJobQueue side, through its public API only: `enqueue` (checked by `enqueue_token_job`'s rules; concurrent
/// calls share an INSERT), `claim`, and `markConfirmed` of the claimed batch (the "complete" of no-op jobs: the state
/// the backend reads as done; concurrent completions share a statement, as pgqueuer's buffer writes completions
/// together), and LISTEN on `TokenJobQueue.notificationChannel` for the latency run, as `TokenWorkerService` does.
struct FlutterbyeQueueWorkload: Sendable {
    let database: DatabaseConfiguration
    let settings: QueueBenchmarkSettings
    let logger: Logger

    /// What every benchmark job asks for (valid for `enqueue_token_job`; nothing is sent anywhere).
    static let recipient = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"

    /// A syntactically valid signature (64 bytes, base58) for `markConfirmed`, which stores it unchecked.
    static let signature: String = {
        guard let keypair = try? Keypair(seed: [UInt8](repeating: 7, count: 32)) else { return String(repeating: "1", count: 64) }
        return keypair.sign(Array("flutterbye bench".utf8)).base58
    }()

    static func request(key: String) -> TokenJobRequest {
        TokenJobRequest(
            idempotencyKey: key, tokenProgram: "token", decimals: 6, name: "Flutterbye Bench", symbol: "FBENCH",
            uri: "https://flutterbye.example/bench.json", amount: "1000000000", recipient: recipient)
    }

    func run() async throws -> QueueFigures {
        var configuration = database.clientConfiguration
        let connections = max(settings.enqueuers, settings.workerCounts.max() ?? 1) + 2
        configuration.options.maximumConnections = connections
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await SchemaMigrator.bundled().apply(on: client, logger: logger)
            try await warmUp(client, connections: connections)
            let queue = TokenJobQueue(
                client: client, logger: logger, maxBatchesInFlight: settings.batchesInFlight, keptConnections: connections - 2)

            let enqueueCPU = ProcessCPU.now()
            let enqueueTime = try await enqueue(queue, keys: "enqueue", count: settings.jobs)
            let enqueueSplit = CPUSplit(ProcessCPU.now() - enqueueCPU)
            var drains: [DrainFigure] = []
            for (index, workers) in settings.workerCounts.enumerated() {
                // The enqueue run left exactly `jobs` jobs for the first drain; later ones get a new batch (untimed).
                if index > 0 { _ = try await enqueue(queue, keys: "drain\(index)", count: settings.jobs) }
                drains.append(try await drain(queue, workers: workers, run: index))
            }
            let latencies = try await latency(client, queue)
            return QueueFigures(
                enqueue: Throughput(jobs: settings.jobs, seconds: enqueueTime.seconds, cpu: enqueueSplit), drains: drains,
                latency: LatencySummary(latencies.map(\.milliseconds)))
        }
    }

    /// Opens the pool's connections before anything is timed (pgqueuer's side connects before timing too).
    private func warmUp(_ client: PostgresClient, connections: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<connections {
                group.addTask { _ = try await client.query("SELECT pg_sleep(0.05)", logger: logger) }
            }
            try await group.waitForAll()
        }
    }

    /// Enqueues `count` jobs, one `enqueue` call each, from `settings.enqueuers` concurrent tasks.
    private func enqueue(_ queue: TokenJobQueue, keys: String, count: Int) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for first in 0..<settings.enqueuers {
                group.addTask { [enqueuers = settings.enqueuers] in
                    for index in stride(from: first, to: count, by: enqueuers) {
                        let result = try await queue.enqueue(Self.request(key: "\(keys)-\(index)"))
                        guard result.inserted else { throw BenchmarkFailure("job \(keys)-\(index) already existed") }
                    }
                }
            }
            try await group.waitForAll()
        }
        return start.duration(to: clock.now)
    }

    /// `workers` concurrent workers, each a claim loop: claim a batch, hand its completion (`markConfirmed` of the
    /// batch) to a task of its own and claim the next batch at once, with at most `completionsInFlight` completions
    /// outstanding, until a claim comes back empty. So does `TokenWorkerService`: its claim loop claims as slots
    /// free up while its runners record their jobs' results; pgqueuer's QueueManager likewise dequeues the next
    /// batch while its completion buffer writes the finished jobs.
    private func drain(_ queue: TokenJobQueue, workers: Int, run: Int) async throws -> DrainFigure {
        let clock = ContinuousClock()
        let start = clock.now
        let cpuBefore = ProcessCPU.now()
        let completed = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<workers {
                group.addTask { [batchSize = settings.batchSize, outstanding = settings.completionsInFlight] in
                    let workerID = "bench-run\(run)-worker\(worker)"
                    return try await withThrowingTaskGroup(of: Int.self) { completions in
                        var done = 0
                        var inFlight = 0
                        while true {
                            let batch = try await queue.claim(workerID: workerID, limit: batchSize, lease: .seconds(60))
                            if batch.isEmpty { break }
                            if inFlight == outstanding, let count = try await completions.next() {
                                done += count
                                inFlight -= 1
                            }
                            completions.addTask {
                                let marked = try await queue.markConfirmed(
                                    batch.compactMap { $0.lease.map { (lease: $0, signature: Self.signature) } })
                                guard marked.count == batch.count else { throw BenchmarkFailure("\(workerID) lost claimed jobs") }
                                return marked.count
                            }
                            inFlight += 1
                        }
                        for try await count in completions { done += count }
                        return done
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = start.duration(to: clock.now)
        let cpu = CPUSplit(ProcessCPU.now() - cpuBefore)
        let left = try await queue.countsByState()
        guard completed == settings.jobs, (left[.available] ?? 0) == 0, (left[.running] ?? 0) == 0 else {
            throw BenchmarkFailure("the drain with \(workers) workers completed \(completed) of \(settings.jobs) jobs; states now: \(left)")
        }
        return DrainFigure(workers: workers, throughput: Throughput(jobs: completed, seconds: elapsed.seconds, cpu: cpu))
    }

    /// One worker woken by LISTEN (and polling as a fallback) claims each job a producer enqueues one at a time;
    /// the latency of a job is the time from the start of its `enqueue` call to the return of the claim that got it.
    private func latency(_ client: PostgresClient, _ queue: TokenJobQueue) async throws -> [Duration] {
        let clock = ContinuousClock()
        let wake = WakeSignal()
        let listening = ListenReady()
        let starts = EnqueueStarts()
        let samples = settings.latencySamples
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await client.withConnection { connection in
                    try await connection.listen(on: TokenJobQueue.notificationChannel) { notifications in
                        for try await notification in notifications {
                            if notification.payload == "ready" { listening.set() }
                            wake.signal()
                        }
                    }
                }
            }
            defer { group.cancelAll() }
            // LISTEN is in place once our own NOTIFY comes back through it.
            let listenDeadline = clock.now + .seconds(10)
            while !listening.isSet {
                guard clock.now < listenDeadline else {
                    throw BenchmarkFailure("LISTEN \(TokenJobQueue.notificationChannel) never received a notification")
                }
                try await client.query("SELECT pg_notify(\(TokenJobQueue.notificationChannel), 'ready')", logger: logger)
                await wake.wait(timeout: .milliseconds(100))
            }
            let deadline = clock.now + settings.latencyInterval * samples + .seconds(30)
            async let measured: [Duration] = {
                var latencies: [Duration] = []
                latencies.reserveCapacity(samples)
                while latencies.count < samples {
                    guard clock.now < deadline else {
                        throw BenchmarkFailure("only \(latencies.count) of \(samples) latency jobs were claimed in time")
                    }
                    let batch = try await queue.claim(workerID: "bench-latency", limit: settings.batchSize, lease: .seconds(60))
                    let claimedAt = clock.now
                    for job in batch {
                        if let start = starts.take(job.request.idempotencyKey) { latencies.append(start.duration(to: claimedAt)) }
                    }
                    _ = try await queue.markConfirmed(batch.compactMap { $0.lease.map { (lease: $0, signature: Self.signature) } })
                    // Like TokenWorkerService: after a claim that found nothing, wait for a notification or the poll
                    // interval; after one that found jobs (a freed slot), claim again at once.
                    if batch.isEmpty { await wake.wait(timeout: settings.pollInterval) }
                }
                return latencies
            }()
            for index in 0..<samples {
                let key = "latency-\(index)"
                starts.record(key, clock.now)
                _ = try await queue.enqueue(Self.request(key: key))
                try await Task.sleep(for: settings.latencyInterval)
            }
            return try await measured
        }
    }
}

/// Set once the latency worker's LISTEN has received the benchmark's own test notification.
final class ListenReady: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

/// When each latency job's `enqueue` call started, by idempotency key.
final class EnqueueStarts: Sendable {
    private let starts = Mutex<[String: ContinuousClock.Instant]>([:])

    func record(_ key: String, _ instant: ContinuousClock.Instant) { starts.withLock { $0[key] = instant } }
    func take(_ key: String) -> ContinuousClock.Instant? { starts.withLock { $0.removeValue(forKey: key) } }
}
