import CoreMetrics
import FlutterbyeStore
import Foundation
import HTTPTypes
public import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket

/// `GET /v1/events`: a WebSocket that streams the event log — job state changes, newly indexed FLBY, escrow and
/// fee-wallet movements, dropped transactions — as JSON text messages, each with the cursor to resume after it.
///
/// The token comes in the `Authorization` header or, from a browser, in `Sec-WebSocket-Protocol` (`WebSocketTokenOffer`;
/// the answer names `flutterbye.v1` only).
///
/// The stream first sends `{"type": "subscribed", "cursor": ...}` (where it starts), then one
/// `{"type": "event", "cursor", "kind", "occurred_at", "data"}` per event, in log order. A client that reconnects
/// with `?cursor=<the last cursor it received>` gets every later event once. A request that cannot become a stream
/// is answered over HTTP: 400 for a bad query, 401 without a valid token, 410 for a cursor older than the retention
/// (an upgrade with it is accepted, then closed with 1008: a browser sees no HTTP status), 503 when too many streams
/// are open, 426 for a plain GET.
public struct EventStreamRoutes: Sendable {
    let service: EventLogService
    let database: DatabaseGate
    /// How many events one read takes from the log.
    static let pageSize = 500

    private let sent = Counter(label: "flutterbye_events_sent_total")

    init(service: EventLogService, database: DatabaseGate) {
        self.service = service
        self.database = database
    }

    /// The plain-HTTP side of `GET /v1/events` on `group` (authenticated): the same checks as an upgrade, so that the
    /// request of a refused upgrade, sent again without `Upgrade`, gets its reason; a valid plain GET is told to upgrade.
    public func add(to group: RouterGroup<APIRequestContext>) {
        group.get("events") { request, _ -> Response in
            let subscription = try EventSubscription(query: request)
            _ = try await self.startCursor(subscription)
            try self.checkRoom()
            throw APIError(
                HTTPResponse.Status(code: 426, reasonPhrase: "Upgrade Required"), code: "upgrade_required",
                "GET /v1/events is a WebSocket: connect with a WebSocket client (Upgrade: websocket)",
                headers: [HTTPField.Name("Upgrade")!: "websocket"])
        }
    }

    /// The WebSocket side on `router` (the upgrade router), behind `authentication`.
    public func addWebSocket(to router: Router<APIRequestContext>, authentication: BearerTokenMiddleware) {
        router.group("v1").add(middleware: authentication).ws(
            "events",
            shouldUpgrade: { request, _ in
                // Anything refused here (or by `authentication`) is answered 400 with no body by hummingbird-websocket;
                // the HTTP route above gives the reason to the same request without `Upgrade`. A pruned cursor is
                // upgraded and then closed with 1008, which a browser sees (a refused upgrade is only 1006 to it),
                // so that a page or client away longer than the retention knows to start again.
                do {
                    _ = try await self.startCursor(try EventSubscription(query: request))
                } catch let error as APIError where error.status == .gone {}
                try self.checkRoom()
                // A browser that offered its token as a subprotocol is answered with the stream's subprotocol only.
                let offer = WebSocketTokenOffer(headerValues: request.headers[values: .secWebSocketProtocol])
                return .upgrade(offer.offersStreamProtocol ? [.secWebSocketProtocol: WebSocketTokenOffer.streamProtocol] : [:])
            },
            onUpgrade: { inbound, outbound, context in
                try await self.stream(request: context.request, inbound: inbound, outbound: outbound, logger: context.logger)
            })
    }

    func checkRoom() throws(APIError) {
        guard service.streamCount < service.options.maxStreams else {
            throw APIError(
                .serviceUnavailable, code: "too_many_streams",
                "\(service.options.maxStreams) event streams are open, the most this server serves; try again later",
                headers: [.retryAfter: "5"])
        }
    }

    /// The cursor a subscription starts after; 410 when its cursor is older than the retention, 400 when it is ahead
    /// of the log (no stream handed it out, and one starting there would wait for ever).
    func startCursor(_ subscription: EventSubscription) async throws -> EventCursor {
        let log = service.log
        switch subscription.start {
        case .latest:
            return try await database.run { try await log.latest() }
        case .oldest:
            return try await database.run { try await log.horizon() }
        case .after(let cursor):
            let standing = try await database.run { try await log.standing(of: cursor) }
            switch standing.verdict(on: cursor) {
            case .resumes:
                return cursor
            case .expired:
                throw APIError(
                    .gone, code: "cursor_expired",
                    "events after cursor \(cursor) have been pruned (events are kept \(service.options.retention.components.seconds / 3600) hours); start again with from=oldest, after reading the current state from the other routes",
                    field: "cursor")
            case .ahead(let reason):
                throw APIError.invalid(
                    "cursor \(cursor) is ahead of the event log (\(reason)): no stream gave it; pass the cursor of the last event you received, or start again with from=latest",
                    field: "cursor")
            }
        }
    }

    func stream(request: Request, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async throws {
        let subscription = try EventSubscription(query: request)
        guard let membership = service.join() else {
            try await outbound.close(.unknown(1013), reason: "too many event streams are open; try again later")
            return
        }
        defer { service.leave(membership) }
        let start: EventCursor
        do {
            start = try await startCursor(subscription)
        } catch let error as APIError where error.status != .serviceUnavailable {
            try await outbound.close(.policyViolation, reason: String(error.message.prefix(120)))
            return
        } catch {
            try await outbound.close(.unexpectedServerError, reason: "the event log cannot be read now; reconnect later")
            return
        }
        logger.info("event stream opened", metadata: ["cursor": "\(start)"])
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Reading what the client sends keeps pings answered and notices its close; the stream ends with it.
            group.addTask { for try await _ in inbound {} }
            group.addTask {
                try await self.send(after: start, kinds: subscription.kinds, wakeups: membership.wakeups, outbound: outbound, logger: logger)
            }
            _ = try await group.next()
            group.cancelAll()
        }
        logger.info("event stream closed")
    }

    /// Sends every event after `start`, page by page, then waits for a wake-up and sends what is new, until the
    /// client goes, the service stops (close 1001) or the log cannot be read (close 1011); the client resumes
    /// with the last cursor it received.
    func send(
        after start: EventCursor, kinds: Set<EventKind>?, wakeups: AsyncStream<Void>, outbound: WebSocketOutboundWriter, logger: Logger
    ) async throws {
        var cursor = start
        try await outbound.writeTextMessage(Self.subscribed(cursor, kinds: kinds))
        var wakeups = wakeups.makeAsyncIterator()
        while !Task.isCancelled {
            let page: EventPage
            do {
                page = try await service.log.page(after: cursor, kinds: kinds, limit: Self.pageSize)
            } catch let error as StoreError where error.code == .cursorExpired {
                // Events after the cursor were pruned before this stream sent them: a reconnect from it would get 410.
                logger.warning("an event stream fell behind the pruned events; closing it", metadata: ["cursor": "\(cursor)"])
                let reason = "events after cursor \(cursor) were pruned unsent; start again from=oldest"
                try await outbound.close(.policyViolation, reason: String(reason.prefix(120)))
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("an event stream cannot read the event log; closing it", metadata: ["error": "\(error)"])
                try await outbound.close(.unexpectedServerError, reason: "the event log cannot be read now; reconnect with your cursor")
                return
            }
            for event in page.events {
                try await outbound.writeTextMessage(Self.message(event))
            }
            // Past the events of other kinds too: a stream of rare kinds stepped over every event since its cursor
            // again at each wake-up, several a second under load.
            cursor = page.readThrough
            if !page.events.isEmpty { sent.increment(by: page.events.count) }
            if page.events.count == Self.pageSize { continue }
            guard await wakeups.next() != nil else {
                if Task.isCancelled { return }
                try await outbound.close(.goingAway, reason: "the server is shutting down; reconnect with your cursor")
                return
            }
        }
    }

    static func subscribed(_ cursor: EventCursor, kinds: Set<EventKind>?) -> String {
        let kindList = (kinds.map { $0.map(\.rawValue) } ?? EventKind.allCases.map(\.rawValue)).sorted().map { "\"\($0)\"" }
        return #"{"type":"subscribed","cursor":"\#(cursor)","kinds":[\#(kindList.joined(separator: ","))]}"#
    }

    /// An event as its message: its data, JSON PostgreSQL built, goes in as it is.
    static func message(_ event: LoggedEvent) -> String {
        #"{"type":"event","cursor":"\#(event.cursor)","kind":"\#(event.kind.rawValue)","occurred_at":"\#(event.occurredAt.formatted(.iso8601))","data":\#(event.payloadJSON)}"#
    }
}
