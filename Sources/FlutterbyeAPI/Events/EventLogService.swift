import CoreMetrics
public import FlutterbyeStore
import Foundation
public import Logging
import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// Keeps the event streams of `GET /v1/events` moving: wakes every open stream when PostgreSQL signals new events
/// (LISTEN on `EventLog.notificationChannel`: the indexer's writes) and when the log's newest readable event changes
/// (one query per poll interval for the whole process: job state changes, and events that become readable when an
/// older transaction ends, come without a signal), counts the open streams against a limit, and prunes events older
/// than the retention. A `Service`: runs until graceful shutdown, which ends every stream.
public final class EventLogService: Service, Sendable {
    /// How the service behaves.
    public struct Options: Sendable {
        /// How often the log's newest event is looked at: about the longest a job event waits to be sent.
        public var pollInterval: Duration
        /// How long events are kept; a cursor older than that is refused (410) and the client starts again.
        public var retention: Duration
        /// How often old events are pruned.
        public var pruneInterval: Duration
        /// The most streams open at once; more are answered 503.
        public var maxStreams: Int

        public init(
            pollInterval: Duration = .milliseconds(250), retention: Duration = .seconds(7 * 24 * 3600), pruneInterval: Duration = .seconds(600),
            maxStreams: Int = 100
        ) {
            self.pollInterval = pollInterval
            self.retention = retention
            self.pruneInterval = pruneInterval
            self.maxStreams = maxStreams
        }
    }

    /// A stream's registration: its wake-ups, until `EventLogService.leave` ends it.
    struct Membership: Sendable {
        let id: Int
        let wakeups: AsyncStream<Void>
    }

    private struct Streams {
        var nextID = 0
        var wakers: [Int: AsyncStream<Void>.Continuation] = [:]
        var closed = false
    }

    public let log: EventLog
    public let options: Options
    let logger: Logger
    private let streams = Mutex(Streams())
    private let openStreams = Gauge(label: "flutterbye_event_streams")

    public init(log: EventLog, options: Options = .init(), logger: Logger) {
        self.log = log
        self.options = options
        self.logger = logger
    }

    /// The number of streams open now.
    public var streamCount: Int { streams.withLock { $0.wakers.count } }

    /// Registers a stream; nil when `maxStreams` are open or the service has stopped.
    func join() -> Membership? {
        let (wakeups, waker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id: Int? = streams.withLock { state in
            guard !state.closed, state.wakers.count < options.maxStreams else { return nil }
            state.nextID += 1
            state.wakers[state.nextID] = waker
            return state.nextID
        }
        guard let id else { return nil }
        openStreams.record(streamCount)
        return Membership(id: id, wakeups: wakeups)
    }

    /// Ends a stream's registration.
    func leave(_ membership: Membership) {
        let waker = streams.withLock { $0.wakers.removeValue(forKey: membership.id) }
        waker?.finish()
        openStreams.record(streamCount)
    }

    /// Wakes every stream.
    func wakeAll() {
        for waker in streams.withLock({ Array($0.wakers.values) }) { waker.yield() }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.listen() }
                group.addTask { await self.poll() }
                group.addTask { await self.prune() }
            }
        }
        // Every stream's wake-ups end: each stream closes (going away) and its client resumes elsewhere or later.
        let wakers = streams.withLock { state in
            state.closed = true
            return Array(state.wakers.values)
        }
        for waker in wakers { waker.finish() }
    }

    /// LISTEN for new events; reconnects after a failure. A lost signal only delays events until the next poll.
    private func listen() async {
        await NotificationListener.listen(on: EventLog.notificationChannel, client: log.client, logger: logger) { self.wakeAll() }
    }

    private func poll() async {
        var newest: EventCursor?
        while !Task.isCancelled {
            try? await Task.sleep(for: options.pollInterval)
            guard streamCount > 0 else { continue }
            do {
                let now = try await log.newest()
                if now != newest { wakeAll() }
                newest = now
            } catch {
                // The streams' own reads meet the same failure and close with it.
                logger.debug("reading the event log's newest event failed", metadata: ["error": "\(error)"])
                wakeAll()
            }
        }
    }

    private func prune() async {
        let limit = 10_000
        while !Task.isCancelled {
            do {
                let cutoff = Date().addingTimeInterval(-Double(options.retention.components.seconds))
                var pruned = 0
                var last = 0
                repeat {
                    last = try await log.prune(occurredBefore: cutoff, limit: limit)
                    pruned += last
                } while last == limit && !Task.isCancelled
                if pruned > 0 { logger.info("pruned old events", metadata: ["count": "\(pruned)"]) }
            } catch {
                logger.warning("pruning the event log failed; trying again later", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: options.pruneInterval)
        }
    }
}
