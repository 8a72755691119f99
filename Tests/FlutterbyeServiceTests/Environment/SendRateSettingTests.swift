import SolanaRPC
import Testing

@testable import FlutterbyeService

/// SOLANA_RPC_SENDS_PER_SECOND, read as SOLANA_RPC_REQUESTS_PER_SECOND is.
struct SendRateSettingTests {
    /// The endpoints the variables give, and the problems found reading them.
    static func endpoints(_ variables: [String: String]) -> (endpoints: [RPCEndpoint], problems: [String]) {
        var reader = EnvironmentReader(ServiceEnvironment(variables))
        let endpoints = reader.endpoints()
        return (endpoints, reader.problems)
    }

    @Test func readsBothRates() {
        let (endpoints, problems) = Self.endpoints([
            "SOLANA_RPC_URL": "http://a:1,http://b:2", "SOLANA_RPC_REQUESTS_PER_SECOND": "40", "SOLANA_RPC_SENDS_PER_SECOND": " 5 ",
        ])
        #expect(problems.isEmpty)
        #expect(endpoints.map(\.requestsPerSecond) == [40, 40])
        #expect(endpoints.map(\.sendsPerSecond) == [5, 5])
        #expect(Self.endpoints(["SOLANA_RPC_URL": "http://a:1"]).endpoints.first?.sendsPerSecond == nil)
    }

    @Test(arguments: ["0", "-1", "abc", "inf", "nan", "1e999"])
    func refusesWhatIsNotAPositiveNumber(_ text: String) {
        let (endpoints, problems) = Self.endpoints(["SOLANA_RPC_URL": "http://a:1", "SOLANA_RPC_SENDS_PER_SECOND": text])
        #expect(problems == ["SOLANA_RPC_SENDS_PER_SECOND must be a positive number, not '\(text)'"])
        #expect(endpoints.first?.sendsPerSecond == nil)
        #expect(Self.endpoints(["SOLANA_RPC_URL": "http://a:1", "SOLANA_RPC_REQUESTS_PER_SECOND": text]).problems.count == 1)
    }
}
