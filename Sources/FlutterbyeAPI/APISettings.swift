public import FlutterbyeStore
import Foundation

/// The status API's configuration from the environment: where it listens (`FLUTTERBYE_API_HOST`,
/// `FLUTTERBYE_API_PORT`), its bearer tokens (`API_TOKEN`, comma-separated to rotate one), the write routes' rate
/// limit per token (`FLUTTERBYE_API_WRITE_BURST`, `FLUTTERBYE_API_WRITES_PER_SECOND`), the limit of requests without
/// a token per client address (`FLUTTERBYE_API_UNAUTHENTICATED_BURST`, `FLUTTERBYE_API_UNAUTHENTICATED_PER_SECOND`),
/// the most connections it keeps open (`FLUTTERBYE_API_MAX_CONNECTIONS`) and how long the event stream's events are
/// kept (`FLUTTERBYE_EVENT_RETENTION_HOURS`). The cluster its explorer links name is the service's
/// (`ServiceConfiguration`).
public struct APISettings: Sendable {
    /// The shortest API token accepted anywhere: 16 characters (production mode asks for 32).
    public static let minimumTokenLength = 16

    public var host: String
    public var port: Int
    public var apiTokens: [String]
    public var writeLimit: RateLimitMiddleware.Limit
    public var unauthenticatedLimit: RateLimitMiddleware.Limit
    public var maxConnections: Int
    /// How long events are kept for `GET /v1/events` (default: `EventLogService.Options`'s, 7 days).
    public var eventRetention: Duration

    /// Reads the settings; every problem is reported at once.
    public init(environment: [String: String]) throws(ConfigurationError) {
        var reader = EnvironmentReader(environment)
        host = reader.value("FLUTTERBYE_API_HOST") ?? "127.0.0.1"
        port = reader.integer("FLUTTERBYE_API_PORT", default: 8080, range: 0...65535)
        func rate(_ name: String, default fallback: Double) -> Double {
            guard let text = reader.value(name) else { return fallback }
            if let number = Double(text), number > 0, number.isFinite { return number }
            reader.problems.append("\(name) must be a positive number, not '\(text)'")
            return fallback
        }
        let burst = reader.integer("FLUTTERBYE_API_WRITE_BURST", default: 20, range: 1...100_000)
        writeLimit = .init(burst: burst, perSecond: rate("FLUTTERBYE_API_WRITES_PER_SECOND", default: 10))
        let unauthenticated = StatusAPI.Configuration.defaultUnauthenticatedLimit
        unauthenticatedLimit = .init(
            burst: reader.integer("FLUTTERBYE_API_UNAUTHENTICATED_BURST", default: unauthenticated.burst, range: 1...1_000_000),
            perSecond: rate("FLUTTERBYE_API_UNAUTHENTICATED_PER_SECOND", default: unauthenticated.perSecond))
        maxConnections = reader.integer(
            "FLUTTERBYE_API_MAX_CONNECTIONS", default: ConnectionLimits().maxConnections, range: 1...1_000_000)
        let defaultRetentionHours = Int(EventLogService.Options().retention.components.seconds / 3600)
        eventRetention = .seconds(
            3600 * reader.integer("FLUTTERBYE_EVENT_RETENTION_HOURS", default: defaultRetentionHours, range: 1...87_600))
        apiTokens = (reader.value("API_TOKEN") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if apiTokens.isEmpty {
            reader.problems.append(
                "API_TOKEN is not set: the job routes need a bearer token (at least 32 characters in production, e.g. openssl rand -hex 32)")
        }
        for (position, token) in apiTokens.enumerated() where token.count < Self.minimumTokenLength {
            reader.problems.append("API_TOKEN: token \(position + 1) has \(token.count) characters; use at least \(Self.minimumTokenLength)")
        }
        guard reader.problems.isEmpty else { throw ConfigurationError(problems: reader.problems) }
    }
}
