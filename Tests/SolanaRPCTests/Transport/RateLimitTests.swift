import Foundation
import Logging
@testable import SolanaRPC
import Testing

/// The client-side rate limit counts JSON-RPC calls, as providers bill and cap them: a batch of n calls takes n
/// permits.
struct RateLimitTests {
    /// A server answering every call with 1.
    static func server() async throws -> HostileRPCServer {
        try await HostileRPCServer { request in
            let answers = request.calls.map { #"{"jsonrpc":"2.0","id":\#($0.id),"result":1}"# }
            return .ok(request.isBatch ? "[" + answers.joined(separator: ",") + "]" : answers.first ?? "")
        }
    }

    @Test func aBatchTakesAPermitPerCall() async throws {
        let server = try await Self.server()
        let client = try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: server.url, requestsPerSecond: 20)], logger: Logger(label: "RateLimitTests"))
        let calls = Array(repeating: (method: "getSlot", params: [JSONValue]()), count: 10)
        let start = ContinuousClock.now
        for _ in 0..<5 { _ = try await client.batch(calls) }
        // 50 calls at 20 a second, 20 of them at once: 30 more take 1.5 s.
        let took = ContinuousClock.now - start
        #expect(took >= .milliseconds(1400), "took \(took)")
        #expect(took < .seconds(3), "took \(took)")
        try await server.close()
    }
}
