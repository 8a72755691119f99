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

    /// A Retry-After longer than the policy's `maxRetryAfter` ends the call at once, telling the caller when to
    /// come back; a shorter one is waited out.
    @Test func aLongRetryAfterIsTheCallersToWait() async throws {
        let server = try await HostileRPCServer { request in
            let after = request.path == "/long" ? "30" : "Thu, 01 Jan 1970 00:00:00 GMT"
            return .http(status: 429, reason: "Too Many Requests", headers: [("Retry-After", after)], body: [], label: "429")
        }
        func client(_ path: String) throws -> SolanaRPCClient {
            try SolanaRPCClient(
                endpoints: [RPCEndpoint(url: server.url + path)], timeout: .seconds(30),
                retry: RPCRetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(1), maxBackoff: .milliseconds(2), maxRetryAfter: .seconds(1)),
                logger: Logger(label: "RetryAfterHostilityTests"))
        }
        let start = ContinuousClock.now
        let long = try client("/long")
        await #expect(throws: RPCError.self) { try await long.blockHeight() }
        do { _ = try await long.blockHeight() } catch { #expect(error.retryAfter == .seconds(30)) }
        let past = try client("/past")
        do { _ = try await past.blockHeight() } catch { #expect(error.retryAfter == .zero) }
        // Waiting out the 30 s would take 60 s; a loaded machine slows the three calls down (a CI run: 16 s), not that much.
        #expect(ContinuousClock.now - start < .seconds(45))
        #expect(server.answers == 1 + 1 + 3)
        try await server.close()
    }
}
