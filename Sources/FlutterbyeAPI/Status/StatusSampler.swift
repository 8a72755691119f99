import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import Logging
import Prometheus
public import ServiceLifecycle
import SolanaCore
import SolanaRPC
import Synchronization

/// Refreshes, each on a timer of its own, what `/readyz` and `/metrics` show and what the database gate knows, so
/// that a probe or a scrape costs no statement and no RPC call however many come: the readiness checks; the gauges
/// read from the database and the chain (jobs by state, the oldest waiting job's age, each configured address's index
/// lag, the finalized watermark); whether PostgreSQL answers (`DatabaseProbe`, for `DatabaseGate`). A `Service`: runs
/// until graceful shutdown.
public final class StatusSampler: Service, Sendable {
    /// How often each thing is refreshed, and how long a check may take.
    public struct Options: Sendable, Hashable {
        public var readinessInterval: Duration
        public var gaugeInterval: Duration
        public var databaseProbeInterval: Duration
        /// How long one readiness check may take; a slower one fails.
        public var checkTimeout: Duration
        /// How long the database probe may take (connecting included); a slower one counts as an outage.
        public var databaseProbeTimeout: Duration
        /// How long one reading of the chain's slots (for the lag in `GET /v1/index` and the gauges) serves every
        /// asker before the next is made.
        public var chainSlotsMaxAge: Duration
        /// How long one reading of the database for `GET /v1/stats`, and one for `GET /v1/index`, serves every asker
        /// before the next is made (`StatusReadings`); the status page asks for both every 2 s while jobs move.
        public var statusReadingsMaxAge: Duration

        public init(
            readinessInterval: Duration = .seconds(5), gaugeInterval: Duration = .seconds(10), databaseProbeInterval: Duration = .seconds(1),
            checkTimeout: Duration = .seconds(3), databaseProbeTimeout: Duration = .seconds(2), chainSlotsMaxAge: Duration = .seconds(5),
            statusReadingsMaxAge: Duration = .seconds(2)
        ) {
            self.readinessInterval = readinessInterval
            self.gaugeInterval = gaugeInterval
            self.databaseProbeInterval = databaseProbeInterval
            self.checkTimeout = checkTimeout
            self.databaseProbeTimeout = databaseProbeTimeout
            self.chainSlotsMaxAge = chainSlotsMaxAge
            self.statusReadingsMaxAge = statusReadingsMaxAge
        }

        /// The oldest readiness round `/readyz` trusts: two rounds missed.
        public var readinessMaxAge: Duration { readinessInterval * 2 + checkTimeout }
    }

    private struct Readiness {
        var report: ReadinessReport?
        var waiting: [UInt64: AsyncStream<Void>.Continuation] = [:]
        var nextID: UInt64 = 0
    }

    let options: Options
    let checks: [ReadinessCheck]
    let queue: TokenJobQueue
    let index: IndexStore
    /// The chain's confirmed slot, for the index lag gauges; without it they are not set.
    let confirmedSlot: ChainSlotReader?
    let registry: PrometheusCollectorRegistry?
    let database: DatabaseGate
    let probe: DatabaseProbe
    let logger: Logger
    private let readiness = Mutex(Readiness())
    /// Whether the database counts as down, from the probe's findings.
    private let outage = Mutex(DatabaseOutage(silencesForOutage: 3))

    init(
        options: Options, checks: [ReadinessCheck], queue: TokenJobQueue, index: IndexStore, confirmedSlot: ChainSlotReader?,
        registry: PrometheusCollectorRegistry?, database: DatabaseGate, probe: DatabaseProbe, logger: Logger
    ) {
        self.options = options
        self.checks = checks
        self.queue = queue
        self.index = index
        self.confirmedSlot = confirmedSlot
        self.registry = registry
        self.database = database
        self.probe = probe
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.every(self.options.databaseProbeInterval) { await self.probeDatabase() } }
                group.addTask { await self.every(self.options.readinessInterval) { await self.checkReadiness() } }
                group.addTask { await self.every(self.options.gaugeInterval) { await self.refreshGauges() } }
            }
        }
        await probe.close()
    }

    /// Runs `body` now and then every `interval` after it ends, until cancelled.
    private func every(_ interval: Duration, _ body: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            await body()
            try? await Task.sleep(for: interval)
        }
    }

    // MARK: Readiness

    /// The last readiness round; before the first has ended, waits for it (at most a check's timeout and a second).
    public func readinessReport() async -> ReadinessReport? {
        let (report, wakeup, id): (ReadinessReport?, AsyncStream<Void>?, UInt64) = readiness.withLock { state in
            if let report = state.report { return (report, nil, 0) }
            let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
            state.nextID += 1
            state.waiting[state.nextID] = continuation
            return (nil, stream, state.nextID)
        }
        if let report { return report }
        guard let wakeup else { return nil }
        let limit = options.checkTimeout + .seconds(1)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { for await _ in wakeup { break } }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
        return readiness.withLock { state in
            state.waiting.removeValue(forKey: id)?.finish()
            return state.report
        }
    }

    func checkReadiness() async {
        let timeout = options.checkTimeout
        let results = await withTaskGroup(of: (String, String).self) { group in
            for check in checks {
                group.addTask {
                    switch await FirstOutcome<String?>().run(within: timeout, { await check.probe() }) {
                    case .finished(.success(let problem)): (check.name, problem ?? "ok")
                    case .finished(.failure(let error)): (check.name, "\(error)")
                    case .timedOut: (check.name, "no answer within \(timeout)")
                    case .interrupted: (check.name, "not checked: the service is stopping")
                    }
                }
            }
            var results: [String: String] = [:]
            for await (name, outcome) in group { results[name] = outcome }
            return results
        }
        let waiting = readiness.withLock { state in
            state.report = ReadinessReport(results: results, checkedAt: .now)
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in waiting {
            waiter.yield()
            waiter.finish()
        }
    }

    // MARK: Database

    func probeDatabase() async {
        let finding = await probe.check(within: options.databaseProbeTimeout)
        let before = database.outage
        let problem = outage.withLock { outage in
            outage.record(finding)
            return outage.reason
        }
        database.probed(problem)
        // /metrics answers without the database, so `up` stays 1 through an outage: this gauge shows it.
        if let registry {
            Self.gauge(
                registry, "flutterbye_database_up", help: "1 while the database answers this process's probe (every second), 0 while it does not"
            )
            .set(problem == nil ? 1.0 : 0.0)
        }
        if let problem, before == nil {
            logger.warning("the database does not answer; requests that need it are answered 503 until it does", metadata: ["reason": "\(problem)"])
        } else if problem == nil, before != nil {
            logger.info("the database answers again")
        }
    }

    // MARK: Gauges

    /// Sets the gauges read from the database and the chain; what cannot be read now keeps its last value.
    func refreshGauges() async {
        guard let registry else { return }
        let queue = self.queue
        let index = self.index
        if let counts = try? await database.run({ try await queue.countsByState() }) {
            for state in TokenJobState.allCases {
                Self.gauge(registry, "flutterbye_jobs", labels: [("state", state.rawValue)], help: "Token jobs by state")
                    .set(Double(counts[state] ?? 0))
            }
        }
        if let age = try? await database.run({ try await queue.oldestWaitingJobAge() }) {
            Self.gauge(
                registry, "flutterbye_oldest_waiting_job_age_seconds",
                help: "Seconds since the oldest job a worker may claim now (available or retryable, due) became due; 0 when none waits"
            ).set(age.totalSeconds)
        }
        if let age = try? await database.run({ try await queue.oldestUnfinalizedConfirmationAge() }) {
            Self.gauge(
                registry, "flutterbye_oldest_unfinalized_confirmation_age_seconds",
                help: "Seconds since the oldest job still confirmed, not finalized, was confirmed; 0 when none is"
            ).set(age.totalSeconds)
        }
        guard let status = try? await database.run({ try await index.status() }) else { return }
        if let chainSlot = await confirmedSlot?.slot() {
            for address in status.addresses {
                Self.gauge(
                    registry, "flutterbye_index_lag_slots", labels: [("role", address.role.rawValue), ("address", address.address)],
                    help: "Slots between the chain's confirmed slot and the newest indexed signature of a configured address"
                ).set(Double(APIHandlers.lag(chainSlot: chainSlot, newestSlot: address.newestSlot)))
            }
        }
        if let watermark = status.finalizedWatermark {
            Self.gauge(
                registry, "flutterbye_index_finalized_watermark_slot", help: "Every indexed transaction at or below this slot is finalized or dropped"
            ).set(Double(watermark))
        }
    }

    /// The registry's gauge of that full name (no namespace or unit of its own), labels and help.
    private static func gauge(_ registry: PrometheusCollectorRegistry, _ name: String, labels: [(String, String)] = [], help: String) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }
}
