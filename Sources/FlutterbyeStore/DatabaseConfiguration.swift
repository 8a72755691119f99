import Foundation
public import Logging
public import PostgresNIO

/// Where the PostgreSQL database is and how to log in, parsed from a `DATABASE_URL`-style connection string
/// (`postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable`). The password never appears in
/// `description`, in `dump` output or in errors.
public struct DatabaseConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Whether and how the connection uses TLS, after libpq's `sslmode` (each case's raw value is libpq's name for it).
    /// libpq's `allow` (without TLS first, then with TLS if the server refused) is not offered: PostgresNIO cannot go
    /// from a refused connection without TLS to one with TLS.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// No TLS (`sslmode=disable`).
        case disable
        /// TLS when the server has it, without TLS when the server answers that it has none; server certificate not
        /// verified (libpq's `sslmode=prefer`, and its default).
        case prefer
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
    public init(host: String, port: Int = 5432, username: String, password: String?, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses a connection string; every problem found is listed in one `invalidDatabaseURL` error, which never
    /// repeats the URL (it may hold a password). As libpq, a query parameter other than `sslmode` is refused (`ssl=true`
    /// is libpq's other spelling of `sslmode=require`), and without `sslmode` TLS is preferred; unlike libpq, which
    /// takes the last, a repeated `sslmode` is refused.
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
        // An @ after the host part: a password (or user name) with an unencoded / ? or # was cut there, and what
        // follows it, read as the path, query or fragment, is part of the password: nothing of it may be quoted.
        if [components.percentEncodedPath, components.percentEncodedQuery ?? "", components.percentEncodedFragment ?? ""].contains(where: {
            $0.contains("@")
        }) {
            throw StoreError(
                .invalidDatabaseURL,
                "the database URL has an @ after its host part: a / ? or # in the user name or password must be percent-encoded "
                    + "(/ as %2F, ? as %3F, # as %23, @ as %40); \(expected)")
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
        var sslmodes: [String] = []
        for item in components.queryItems ?? [] where !(item.name.isEmpty && item.value == nil) {  // a stray &
            switch (item.name, item.value) {
            case ("sslmode", let value): sslmodes.append(value ?? "")
            case ("ssl", "true"): sslmodes.append("require")  // libpq's spelling for JDBC's users
            default: problems.append("the query parameter '\(item.name)' is not known: only sslmode is")
            }
        }
        var tls = TLSMode.prefer  // libpq's default
        if sslmodes.count > 1 {
            problems.append("sslmode is given more than once")
        } else if let sslmode = sslmodes.first {
            if let mode = TLSMode(rawValue: sslmode) {
                tls = mode
            } else if sslmode == "allow" {
                problems.append("sslmode 'allow' (without TLS first, then with TLS) is not supported: use prefer or disable")
            } else {
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
            tls: tlsConfiguration.map { self.tls == .prefer ? .prefer($0) : .require($0) } ?? .disable)
        configuration.options.keepAliveBehavior = nil
        return configuration
    }

    /// Opens one connection: fails at once with `databaseUnavailable` (what the server said, or why it could not be
    /// reached) where a pool would keep trying until a statement's deadline.
    public func connect(logger: Logger) async throws(StoreError) -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: try connectionConfiguration(), id: 1, logger: logger)
        } catch let error as StoreError {
            throw error
        } catch {
            throw SchemaMigrator.connectionError(error, database: self)
        }
    }

    /// Opens one connection and closes it (`connect`).
    public func checkReachable(logger: Logger) async throws(StoreError) {
        let connection = try await connect(logger: logger)
        try? await connection.close()
    }

    /// The PostgresNIO configuration for a single connection (`PostgresConnection.connect`), which, unlike the
    /// pool, fails at once when the server cannot be reached. Throws when the TLS context cannot be created.
    public func connectionConfiguration() throws(StoreError) -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        if let tlsConfiguration {
            do {
                let context = try NIOSSLContext(configuration: tlsConfiguration)
                tls = self.tls == .prefer ? .prefer(context) : .require(context)
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
        case .prefer, .require: configuration.certificateVerification = .none
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
