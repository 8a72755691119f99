import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import OpenAPIRuntime
import SolanaCore
import SolanaRPC

/// The status API's operations as the OpenAPI document defines them (`APIProtocol`, generated from
/// Resources/openapi.json into Generated/): health and readiness (`+Health`), the job routes (`+Jobs`), the index and
/// the statistics (`+Status`). What they throw (`APIError`, `StoreError`) `APIErrorMiddleware` answers.
struct APIHandlers: APIProtocol {
    let sampler: StatusSampler
    let queue: TokenJobQueue
    let index: IndexStore
    /// The event log, for the index's recent FLBY movements.
    let events: EventLog
    /// The chain's slots, for the index's lag; without them the lag is null.
    let slotReaders: SlotReaders?
    /// The database's figures for `GET /v1/stats` and `GET /v1/index`, shared by every request.
    let readings: StatusReadings
    /// The cluster explorer links point to.
    let cluster: SolanaCluster
    let database: DatabaseGate

    /// What the generated code is configured with: dates as the API has always written them (RFC 3339, whole
    /// seconds), JSON with sorted keys and unescaped slashes, as `JSONEncoder` wrote it before.
    static let configuration = Configuration(
        dateTranscoder: RFC3339DateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])

    /// The middlewares of the generated code, outermost first.
    static let middlewares: [any ServerMiddleware] = [
        AcceptHeaderMiddleware(), LocationHeaderMiddleware(), JobParametersMiddleware(), JobSubmissionMiddleware(),
    ]

    /// Registers every operation on `routes` (each on the group with its middlewares).
    func register(on routes: OperationRoutes) throws {
        try registerHandlers(on: routes, configuration: Self.configuration, middlewares: Self.middlewares)
    }
}

/// Dates as `JSONEncoder`'s `.iso8601` writes them (`2026-01-31T12:00:00Z`), which the API has always sent.
struct RFC3339DateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String {
        date.formatted(.iso8601)
    }

    func decode(_ text: String) throws -> Date {
        try Date(text, strategy: .iso8601)
    }
}

/// A value the database holds that the document does not allow (a role or token program it does not list).
struct UndocumentedValue: Error, CustomStringConvertible {
    var description: String
}
