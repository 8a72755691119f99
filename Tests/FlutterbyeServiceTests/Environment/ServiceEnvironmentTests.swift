import Configuration
import Synchronization
import Testing

@testable import FlutterbyeService

/// The environment as swift-configuration reads it: values by their exact names, trimmed or as set, and the secrets
/// marked so that no access log shows them.
struct ServiceEnvironmentTests {
    /// Every access event, rendered as an access log writes it, with whether the value read was marked secret.
    final class AccessLog: AccessReporter {
        let events = Mutex<[(key: String, line: String, isSecret: Bool)]>([])

        func report(_ event: AccessEvent) {
            let isSecret = (try? event.result.get())??.isSecret ?? false
            events.withLock { $0.append((event.metadata.key.description, event.description, isSecret)) }
        }
    }

    @Test func valuesAreReadByTheirNamesTrimmedOrAsSet() {
        let environment = ServiceEnvironment(["FLUTTERBYE_API_HOST": " 0.0.0.0\n", "FLUTTERBYE_LOG_LEVEL": " ", "flutterbye_log_level": "debug"])
        #expect(environment.value("FLUTTERBYE_API_HOST") == "0.0.0.0")
        #expect(environment.valueAsSet("FLUTTERBYE_API_HOST") == " 0.0.0.0\n")
        #expect(environment.value("FLUTTERBYE_LOG_LEVEL") == nil && environment.valueAsSet("FLUTTERBYE_LOG_LEVEL") == " ")
        #expect(environment.value("FLUTTERBYE_API_PORT") == nil && environment.valueAsSet("FLUTTERBYE_API_PORT") == nil)
        #expect(environment.variables(withPrefix: "flutterbye_").map(\.name) == ["flutterbye_log_level"])
    }

    /// A whole configuration read with every secret set: each secret's access is marked secret and no access log line
    /// shows its value, while the other values are shown (so the log is really written).
    @Test func noAccessLogShowsASecret() throws {
        let secrets = [
            "DATABASE_URL": "postgres://flutterbye:hunter2-db@db.internal:5432/flutterbye",
            "SOLANA_RPC_URL": "https://rpc.example.com/?api-key=hunter2-rpc",
            "FLUTTERBYE_MASTER_SEED": String(repeating: "5a", count: 32),
            "API_TOKEN": "hunter2-api-token-0123456789abcdef",
            "SOLANA_WS_URL": "wss://ws.example.com/?api-key=hunter2-ws",
        ]
        let log = AccessLog()
        var variables = ProductionPolicyTests.environment()
        variables.merge(secrets) { $1 }
        variables["FLUTTERBYE_API_HOST"] = "0.0.0.0"
        let environment = ServiceEnvironment(variables, accessReporter: log)
        _ = try ServiceConfiguration(environment: environment, parts: ServiceParts())
        let events = log.events.withLock { $0 }
        let secretValues = Array(secrets.values) + [variables["SOLANA_PRIVATE_KEY"]!, variables["MAINNET_MINT_AUTHORITY"]!]
        #expect(Set(events.map(\.key)).isSuperset(of: ServiceEnvironment.secretNames), "every secret was read")
        for event in events {
            #expect(event.isSecret == ServiceEnvironment.secretNames.contains(event.key), "\(event.line)")
            for value in secretValues { #expect(!event.line.contains(value), "\(event.line)") }
        }
        #expect(events.contains { $0.key == "FLUTTERBYE_API_HOST" && $0.line.contains("\"0.0.0.0\"") }, "\(events.map(\.line))")
        #expect(events.contains { $0.key == "API_TOKEN" && $0.line.contains("<REDACTED>") })
    }

    /// Printed, debug-printed or dumped (as a configuration holding it may be), the environment shows no value.
    @Test func printingShowsNoValue() {
        let environment = ServiceEnvironment(["API_TOKEN": "hunter2-api-token", "PGPASSWORD": "hunter2-pg", "FLUTTERBYE_API_HOST": "0.0.0.0"])
        var dumped = ""
        dump(environment, to: &dumped)
        for text in ["\(environment)", String(reflecting: environment), dumped] {
            #expect(!text.contains("hunter2") && !text.contains("0.0.0.0"), "\(text)")
        }
    }
}
