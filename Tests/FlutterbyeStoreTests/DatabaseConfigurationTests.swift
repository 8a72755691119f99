import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import Testing

/// `DATABASE_URL` as `DatabaseConfiguration` reads it: its parts, the password never shown, libpq's `sslmode` values and
/// default, and every other query parameter refused.
@Suite struct DatabaseConfigurationTests {
    @Test func parsesAFullURL() throws {
        let configuration = try DatabaseConfiguration(url: "postgres://worker:s3cr%40t@db.internal:6543/flutterbye?sslmode=require")
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 6543)
        #expect(configuration.username == "worker")
        #expect(configuration.password == "s3cr@t")
        #expect(configuration.database == "flutterbye")
        #expect(configuration.tls == .require)
        let client = configuration.clientConfiguration
        #expect(client.host == "db.internal")
        #expect(client.port == 6543)
        #expect(client.username == "worker")
        #expect(client.password == "s3cr@t")
        #expect(client.database == "flutterbye")
    }

    @Test func defaultsThePortAndPrefersTLSAsLibpqDoes() throws {
        let configuration = try DatabaseConfiguration(url: "postgresql://postgres@127.0.0.1/test")
        #expect(configuration.port == 5432)
        #expect(configuration.tls.rawValue == "prefer")
        #expect(configuration.password == nil)
        for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            #expect(try DatabaseConfiguration(url: "postgres://u@h/db?sslmode=\(mode)").tls.rawValue == mode)
        }
        // libpq's JDBC spelling: ssl=true is sslmode=require.
        #expect(try DatabaseConfiguration(url: "postgres://u@h/db?ssl=true").tls == .require)
    }

    /// prefer tries TLS and goes on without it only when the server answers that it has none; require fails then.
    @Test func eachSSLModeConnectsAsLibpqDoes() throws {
        for (mode, allowed, enforced) in [("disable", false, false), ("prefer", true, false), ("require", true, true), ("verify-full", true, true)] {
            let tls = try DatabaseConfiguration(url: "postgres://u@h/db?sslmode=\(mode)").connectionConfiguration().tls
            #expect(tls.isAllowed == allowed && tls.isEnforced == enforced, "\(mode)")
        }
        let byDefault = try DatabaseConfiguration(url: "postgres://u@h/db").connectionConfiguration().tls
        #expect(byDefault.isAllowed && !byDefault.isEnforced)
    }

    /// libpq refuses a query parameter it does not know (keywords are case-sensitive): a misspelt sslmode must not
    /// leave TLS off. The error names the parameter, never its value.
    @Test(arguments: [
        ("sslmod=require", "sslmod"), ("SSLMODE=require", "SSLMODE"), ("ssl=false", "ssl"), ("sslmode=require&password=hunter2", "password"),
    ])
    func anUnknownQueryParameterIsRefusedByName(query: String, name: String) {
        do {
            let configuration = try DatabaseConfiguration(url: "postgres://worker:hunter2@db/flutterbye?\(query)")
            Issue.record("?\(query) should be refused, not read as \(configuration)")
        } catch {
            #expect(error.code == .invalidDatabaseURL, "\(error)")
            #expect(error.message.contains("'\(name)'"), "\(error.message)")
            #expect(!error.description.contains("hunter2"), "\(error)")
        }
    }

    @Test(arguments: ["sslmode=require&sslmode=disable", "sslmode=disable&sslmode=disable", "ssl=true&sslmode=disable"])
    func aRepeatedSSLModeIsRefused(query: String) {
        #expect {
            try DatabaseConfiguration(url: "postgres://u@h/db?\(query)")
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .invalidDatabaseURL && error.message.contains("sslmode") && error.message.contains("more than once")
        }
    }

    /// libpq's values, spelt as libpq spells them; allow (try without TLS first, then with it) is refused with its
    /// reason, as PostgresNIO cannot go from a refused plain connection to TLS.
    @Test(arguments: ["REQUIRE", "Require", "verify_full", "true", "", "allow"])
    func anSSLModeOtherThanLibpqsIsRefused(mode: String) {
        #expect {
            try DatabaseConfiguration(url: "postgres://u@h/db?sslmode=\(mode)")
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .invalidDatabaseURL && error.message.contains("sslmode '\(mode)'")
        }
    }

    @Test func percentEncodingIsDecodedOnce() throws {
        let configuration = try DatabaseConfiguration(url: "postgres://u:a%2541%2Fb@[::1]:5433/my%20db")
        #expect(configuration.password == "a%41/b")
        #expect(configuration.host == "::1")
        #expect(configuration.database == "my db")
    }

    @Test func aMissingHostIsNamed() {
        #expect {
            try DatabaseConfiguration(url: "postgres://u:pw@:5432/db")
        } throws: { error in
            let error = error as? StoreError
            return error?.code == .invalidDatabaseURL && error?.message.contains("host is missing") == true
        }
    }

    @Test(arguments: ["postgres://u@h:99999/db", "postgres://u@h:0/db", "postgres://u:pw@h:abc/db", "postgres://u:pw@h:-1/db"])
    func aBadPortIsRefused(url: String) {
        #expect {
            try DatabaseConfiguration(url: url)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .invalidDatabaseURL && error.message.contains("port") && !error.description.contains("pw")
        }
    }

    @Test func listsEveryProblemAtOnce() {
        do {
            _ = try DatabaseConfiguration(url: "mysql://:hunter2@/?sslmode=sometimes")
            Issue.record("should be refused")
        } catch {
            #expect(error.code == .invalidDatabaseURL)
            for part in ["scheme", "host", "user name", "database name", "sslmode"] {
                #expect(error.message.contains(part), "\(part) in \(error.message)")
            }
        }
    }

    @Test func thePasswordNeverShows() throws {
        let configuration = try DatabaseConfiguration(url: "postgres://worker:hunter2@db:5432/flutterbye")
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in ["\(configuration)", String(reflecting: configuration), dumped] {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        #expect("\(configuration)" == "postgres://worker:***@db:5432/flutterbye?sslmode=prefer")
        for bad in [
            "mysql://worker:hunter2@db/flutterbye", "postgres://worker:hunter2@db:99999/flutterbye",
            "postgres://worker:hunter2@db/", "postgres://worker:hunter2/@db/x", "postgres://worker:hunter2@db/x?sslmode=hunter2x",
        ] {
            do {
                _ = try DatabaseConfiguration(url: bad)
                Issue.record("\(bad) should be refused")
            } catch {
                #expect(!error.description.contains("hunter2@"), "\(error)")
                #expect(!error.description.contains(":hunter2"), "\(error)")
            }
        }
    }
}
