import Foundation
public import PostgresNIO

/// Where the PostgreSQL database is and how to log in, parsed from a `DATABASE_URL`-style connection string
/// (`postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable`). The password never appears in
/// `description`, in `dump` output or in errors.
public struct DatabaseConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Whether and how the connection uses TLS, after libpq's `sslmode`.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// No TLS (`sslmode=disable`, and also `allow` and `prefer`, which this worker does not try).
        case disable
        /// TLS required, server certificate not verified (libpq's `sslmode=require`).
        case require
        /// TLS required, certificate chain verified but not the host name (`sslmode=verify-ca`).
        case verifyCA = "verify-ca"
        /// TLS required, certificate chain and host name verified (`sslmode=verify-full`).
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    /// The password, percent-decoded; `nil` when the URL has none (trust or peer authentication).
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Builds a configuration from its parts.
    public init(host: String, port: Int = 5432, username: String, password: String?, database: String, tls: TLSMode = .disable) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses a connection string; every problem found is listed in one `invalidDatabaseURL` error, which never
    /// repeats the URL (it may hold a password).
    public init(url text: String) throws(StoreError) {
        let expected = "expected postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable"
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw StoreError(.invalidDatabaseURL, "the database URL is empty: set it, \(expected)")
        }
        guard let components = URLComponents(string: text) else {
            throw StoreError(
                .invalidDatabaseURL,
                "the database URL cannot be parsed: check that the port is a number and that @ : / ? # % in the user name "
                    + "or password are percent-encoded (@ as %40, / as %2F, % as %25); \(expected)")
        }
        var problems: [String] = []
        let scheme = components.scheme?.lowercased()
        if scheme != "postgres" && scheme != "postgresql" {
            problems.append("the scheme must be postgres:// or postgresql://, not \(scheme.map { "\($0)://" } ?? "missing")")
        }
        var host = components.host ?? ""
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }  // IPv6 literal
        if host.isEmpty { problems.append("the host is missing") }
        let port = components.port ?? 5432
        if !(1...65535).contains(port) { problems.append("the port \(port) is not in 1...65535") }
        let username = components.user ?? ""  // URLComponents percent-decodes user, password and path
        if username.isEmpty { problems.append("the user name is missing (USER@ before the host)") }
        let database = String(components.path.drop { $0 == "/" })
        if database.isEmpty { problems.append("the database name is missing (/DATABASE after the host)") }
        if database.contains("/") { problems.append("the database name must not contain /") }
        var tls = TLSMode.disable
        if let sslmode = components.queryItems?.last(where: { $0.name == "sslmode" })?.value {
            switch sslmode {
            case "disable", "allow", "prefer": tls = .disable
            case "require": tls = .require
            case "verify-ca": tls = .verifyCA
            case "verify-full": tls = .verifyFull
            default:
                problems.append("sslmode '\(sslmode)' is not one of disable, allow, prefer, require, verify-ca, verify-full")
            }
        }
        guard problems.isEmpty else {
            throw StoreError(.invalidDatabaseURL, "the database URL is invalid: " + problems.joined(separator: "; ") + "; \(expected)")
        }
        self.init(host: host, port: port, username: username, password: components.password, database: database, tls: tls)
    }

    /// The PostgresNIO client (connection pool) configuration for this database. The pool sends no keep-alive
    /// queries: PostgresNIO arms a timer each time such a connection goes idle, a cost on every queue statement
    /// (docs/benchmarks.md, "Queue"). A connection that broke while idle fails its next statement, which the queue's
    /// callers retry (every queue step is safe to repeat), and the pool replaces it. No minimum of open
    /// connections either: PostgresNIO 1.33's pool traps on a precondition when a minimum is set and the database
    /// goes away (seen by LoadAndAbuseTests).
    public var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: tlsConfiguration.map { .require($0) } ?? .disable)
        configuration.options.keepAliveBehavior = nil
        return configuration
    }

    /// The PostgresNIO configuration for a single connection (`PostgresConnection.connect`), which, unlike the
    /// pool, fails at once when the server cannot be reached. Throws when the TLS context cannot be created.
    public func connectionConfiguration() throws(StoreError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        if let tlsConfiguration {
            do {
                tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
            } catch {
                throw StoreError(.databaseUnavailable, "cannot set up TLS (sslmode=\(self.tls.rawValue)) for \(self): \(error)")
            }
        } else {
            tls = .disable
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// NIOSSL's settings for `tls`, after libpq's meaning of each `sslmode`; `nil` without TLS.
    private var tlsConfiguration: TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .disable: return nil
        case .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(username)\(password == nil ? "" : ":***")@\(hostPart):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }

    public var debugDescription: String { "DatabaseConfiguration(\(description))" }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "username": username, "password": password == nil ? "nil" : "***",
                "database": database, "tls": tls,
            ],
            displayStyle: .struct)
    }
}
