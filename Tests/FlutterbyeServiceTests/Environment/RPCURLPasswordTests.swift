import FlutterbyeService
import Testing

/// An RPC or PubSub URL whose password holds an unencoded `/` (`https://user:1234/Rx7p@host/...`) parses as host
/// "user", port 1234 and a path: shown as scheme, host and port, the endpoint would be `https://user:1234`, the user
/// and part of the password, in every log line and message naming it. It is refused, and the refusal quotes nothing
/// of the URL.
struct RPCURLPasswordTests {
    static let cut = "https://flutterbye:1234/Rx7pQ@rpc.example.com/v2/KEY"

    static func problems(_ changes: [String: String?]) -> [String] {
        do {
            _ = try ServiceConfiguration(environment: ServiceEnvironment(ProductionPolicyTests.environment(changes)), parts: ServiceParts())
            return []
        } catch {
            return error.problems
        }
    }

    @Test(arguments: [
        ["SOLANA_RPC_URL": cut, "SOLANA_WS_URL": "off"], ["SOLANA_WS_URL": "wss://flutterbye:1234/Rx7pQ@rpc.example.com/v2/KEY"],
    ])
    func aURLWhosePasswordWasCutIsRefusedWithoutQuotingIt(_ changes: [String: String]) {
        let problems = Self.problems(changes)
        #expect(!problems.isEmpty, "the URL was accepted")
        #expect(problems.contains { $0.contains("percent-encode") }, "\(problems)")
        for part in ["flutterbye:", "1234", "Rx7pQ", "v2/KEY"] {
            #expect(!problems.contains { $0.contains(part) }, "a problem quotes '\(part)': \(problems)")
        }
    }
}
