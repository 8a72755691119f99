import Foundation
import Logging
import SolanaRPC
import Testing

/// A 429 whose Retry-After is not a number a client can wait (inf, nan, 1e300, -1, a huge integer) is a
/// `rateLimited` error like any other, never a trap.
struct RetryAfterHostilityTests {
    static let values = ["inf", "nan", "1e300", "-1", "-inf", "99999999999999999999999999999999", "1e3", "0x10", ""]

    @Test(arguments: values)
    func aHostileRetryAfterIsARateLimitNotATrap(_ value: String) async throws {
        let server = try await HostileRPCServer { _ in
            .http(status: 429, reason: "Too Many Requests", headers: [("Retry-After", value)], body: Array("slow down".utf8), label: "429")
        }
        let client = try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: server.url)], timeout: .seconds(5),
            retry: RPCRetryPolicy(maxAttempts: 1),
            logger: Logger(label: "RetryAfterHostilityTests"))
        do {
            _ = try await client.blockHeight()
            Issue.record("a 429 should fail the call")
        } catch {
            #expect(error.code == .rateLimited)
            #expect(error.retryAfter == nil || error.retryAfter! <= .seconds(60), "Retry-After \(value) gave \(String(describing: error.retryAfter))")
        }
        try await server.close()
    }
}
