import Foundation
public import PostgresNIO

/// Where the PostgreSQL database is, parsed from a `DATABASE_URL`-style connection string
/// (`postgres://user:password@host:port/database?sslmode=disable`). The password never appears in
/// `description` or in errors.
public struct DatabaseConfiguration: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// Whether to require TLS (`sslmode=require`, `verify-ca` or `verify-full`).
    public var requireTLS: Bool

    /// Parses a connection string; every problem found is listed in one `invalidDatabaseURL` error.
    public init(url text: String) throws(StoreError) {
        guard let components = URLComponents(string: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw StoreError(.invalidDatabaseURL, "the database URL is not a URL; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE")
        }
        var problems: [String] = []
        if !["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? "") {
            problems.append("the scheme must be postgres:// or postgresql://, not \(components.scheme.map { "\($0)://" } ?? "missing")")
        }
        let host = components.host ?? ""
        if host.isEmpty { problems.append("the host is missing") }
        let port = components.port ?? 5432
        if !(1...65535).contains(port) { problems.append("the port \(port) is not in 1...65535") }
        let username = components.user ?? ""
        if username.isEmpty { problems.append("the user name is missing") }
        let database = String(components.path.drop { $0 == "/" })
        if database.isEmpty { problems.append("the database name is missing (…/DATABASE at the end)") }
        let sslmode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let knownModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]
        if !knownModes.contains(sslmode) { problems.append("sslmode '\(sslmode)' is not one of \(knownModes.joined(separator: ", "))") }
        guard problems.isEmpty else {
            throw StoreError(.invalidDatabaseURL, "the database URL is invalid: " + problems.joined(separator: "; "))
        }
        self.host = host
        self.port = port
        self.username = username.removingPercentEncoding ?? username
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
        self.requireTLS = ["require", "verify-ca", "verify-full"].contains(sslmode)
    }

    /// The PostgresNIO client configuration for this database.
    public var clientConfiguration: PostgresClient.Configuration {
        PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
    }

    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)\(requireTLS ? " (TLS)" : "")"
    }
}
