import FlutterbyeAPI
import FlutterbyeService
import FlutterbyeStore
import Testing

/// The status API's configuration from the environment: the README table's defaults, the tokens, and every problem at
/// once without a token's value.
struct APISettingsTests {
    static let token = "a-token-of-twenty-chars"

    @Test func onlyATokenGivesTheDefaults() throws {
        let settings = try APISettings(environment: ServiceEnvironment(["API_TOKEN": Self.token]))
        #expect(settings.host == "127.0.0.1" && settings.port == 8080)
        #expect(settings.apiTokens == [Self.token])
        #expect(settings.writeLimit == RateLimitMiddleware.Limit(burst: 20, perSecond: 10))
        #expect(settings.unauthenticatedLimit == RateLimitMiddleware.Limit(burst: 100, perSecond: 20))
        #expect(settings.maxConnections == 512)
        #expect(settings.eventRetention == .seconds(168 * 3600))
    }

    @Test func everyVariableIsReadTrimmed() throws {
        let settings = try APISettings(
            environment: ServiceEnvironment([
                "API_TOKEN": " \(Self.token) , second-token-sixteen ,, ", "FLUTTERBYE_API_HOST": " 0.0.0.0 ", "FLUTTERBYE_API_PORT": " 0",
                "FLUTTERBYE_API_WRITE_BURST": "3", "FLUTTERBYE_API_WRITES_PER_SECOND": "2.5", "FLUTTERBYE_API_UNAUTHENTICATED_BURST": "7",
                "FLUTTERBYE_API_UNAUTHENTICATED_PER_SECOND": "0.5", "FLUTTERBYE_API_MAX_CONNECTIONS": "9",
                "FLUTTERBYE_EVENT_RETENTION_HOURS": "720\n",
            ]))
        #expect(settings.apiTokens == [Self.token, "second-token-sixteen"])
        #expect(settings.host == "0.0.0.0" && settings.port == 0)
        #expect(settings.writeLimit == RateLimitMiddleware.Limit(burst: 3, perSecond: 2.5))
        #expect(settings.unauthenticatedLimit == RateLimitMiddleware.Limit(burst: 7, perSecond: 0.5))
        #expect(settings.maxConnections == 9)
        #expect(settings.eventRetention == .seconds(720 * 3600))
    }

    @Test func blankValuesCountAsUnset() throws {
        let settings = try APISettings(
            environment: ServiceEnvironment(["API_TOKEN": Self.token, "FLUTTERBYE_API_HOST": "  ", "FLUTTERBYE_API_PORT": ""]))
        #expect(settings.host == "127.0.0.1" && settings.port == 8080)
        #expect(throws: ConfigurationError.self) { try APISettings(environment: ServiceEnvironment(["API_TOKEN": " \n"])) }
    }

    @Test func everyProblemIsListedAtOnceWithoutTheTokens() {
        let environment = [
            "API_TOKEN": "short-one,\(Self.token),tiny", "FLUTTERBYE_API_PORT": "65536", "FLUTTERBYE_API_WRITE_BURST": "0",
            "FLUTTERBYE_API_WRITES_PER_SECOND": "inf", "FLUTTERBYE_API_UNAUTHENTICATED_BURST": "many",
            "FLUTTERBYE_API_UNAUTHENTICATED_PER_SECOND": "-1", "FLUTTERBYE_API_MAX_CONNECTIONS": "0", "FLUTTERBYE_EVENT_RETENTION_HOURS": "87601",
        ]
        #expect {
            try APISettings(environment: ServiceEnvironment(environment))
        } throws: { error in
            (error as? ConfigurationError)?.problems == [
                "FLUTTERBYE_API_PORT must be a whole number in 0...65535, not '65536'",
                "FLUTTERBYE_API_WRITE_BURST must be a whole number in 1...100000, not '0'",
                "FLUTTERBYE_API_WRITES_PER_SECOND must be a positive number, not 'inf'",
                "FLUTTERBYE_API_UNAUTHENTICATED_BURST must be a whole number in 1...1000000, not 'many'",
                "FLUTTERBYE_API_UNAUTHENTICATED_PER_SECOND must be a positive number, not '-1'",
                "FLUTTERBYE_API_MAX_CONNECTIONS must be a whole number in 1...1000000, not '0'",
                "FLUTTERBYE_EVENT_RETENTION_HOURS must be a whole number in 1...87600, not '87601'",
                "API_TOKEN: token 1 has 9 characters; use at least 16",
                "API_TOKEN: token 3 has 4 characters; use at least 16",
            ]
        }
        #expect {
            try APISettings(environment: ServiceEnvironment([:]))
        } throws: { error in
            (error as? ConfigurationError)?.problems == [
                "API_TOKEN is not set: the job routes need a bearer token (at least 32 characters in production, e.g. openssl rand -hex 32)"
            ]
        }
    }
}
