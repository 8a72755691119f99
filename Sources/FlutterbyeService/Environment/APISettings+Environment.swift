public import FlutterbyeAPI
import Foundation

extension APISettings {
    /// Reads the status API's settings from `environment`, every problem at once: where it listens
    /// (`FLUTTERBYE_API_HOST`, `FLUTTERBYE_API_PORT`), its bearer tokens (`API_TOKEN`, comma-separated), the write
    /// routes' limit (`FLUTTERBYE_API_WRITE_BURST`, `FLUTTERBYE_API_WRITES_PER_SECOND`), the limit without a token
    /// (`FLUTTERBYE_API_UNAUTHENTICATED_BURST`, `FLUTTERBYE_API_UNAUTHENTICATED_PER_SECOND`), the connections
    /// (`FLUTTERBYE_API_MAX_CONNECTIONS`) and the events' retention (`FLUTTERBYE_EVENT_RETENTION_HOURS`).
    public init(environment: ServiceEnvironment) throws(ConfigurationError) {
        var reader = EnvironmentReader(environment)
        let host = reader.value("FLUTTERBYE_API_HOST") ?? "127.0.0.1"
        let port = reader.integer("FLUTTERBYE_API_PORT", default: 8080, range: 0...65535)
        let burst = reader.integer("FLUTTERBYE_API_WRITE_BURST", default: 20, range: 1...100_000)
        let writeLimit = RateLimitMiddleware.Limit(burst: burst, perSecond: reader.positiveNumber("FLUTTERBYE_API_WRITES_PER_SECOND") ?? 10)
        let unauthenticated = StatusAPI.Configuration.defaultUnauthenticatedLimit
        let unauthenticatedLimit = RateLimitMiddleware.Limit(
            burst: reader.integer("FLUTTERBYE_API_UNAUTHENTICATED_BURST", default: unauthenticated.burst, range: 1...1_000_000),
            perSecond: reader.positiveNumber("FLUTTERBYE_API_UNAUTHENTICATED_PER_SECOND") ?? unauthenticated.perSecond)
        let maxConnections = reader.integer(
            "FLUTTERBYE_API_MAX_CONNECTIONS", default: ConnectionLimits().maxConnections, range: 1...1_000_000)
        let defaultRetentionHours = Int(EventLogService.Options().retention.components.seconds / 3600)
        let eventRetention = Duration.seconds(
            3600 * reader.integer("FLUTTERBYE_EVENT_RETENTION_HOURS", default: defaultRetentionHours, range: 1...87_600))
        let apiTokens = (reader.value("API_TOKEN") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if apiTokens.isEmpty {
            reader.problems.append(
                "API_TOKEN is not set: the job routes need a bearer token (at least 32 characters in production, e.g. openssl rand -hex 32)")
        }
        for (position, token) in apiTokens.enumerated() where token.count < Self.minimumTokenLength {
            reader.problems.append("API_TOKEN: token \(position + 1) has \(token.count) characters; use at least \(Self.minimumTokenLength)")
        }
        guard reader.problems.isEmpty else { throw ConfigurationError(problems: reader.problems) }
        self.init(
            host: host, port: port, apiTokens: apiTokens, writeLimit: writeLimit, unauthenticatedLimit: unauthenticatedLimit,
            maxConnections: maxConnections, eventRetention: eventRetention)
    }
}
