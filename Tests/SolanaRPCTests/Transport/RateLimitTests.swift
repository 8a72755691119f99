import Foundation
import Logging
import SolanaCore
import Testing

@testable import SolanaRPC

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
        // Only that it ends: at the start of the suite, with every test starting at once on two cores, a CI run saw
        // these 1.5 s take 15 s.
        #expect(took < .seconds(60), "took \(took)")
        try await server.close()
    }
}

/// The token bucket's arithmetic, with the time passed in (no sleeping).
struct TokenBucketTests {
    let start = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    @Test func aBurstOfOneSecondThenTheRate() {
        var bucket = TokenBucket(perSecond: 10, now: start)
        for _ in 0..<10 { #expect(bucket.reserve(1, at: start) == .zero) }
        #expect(bucket.reserve(1, at: start) == .milliseconds(100))
        #expect(bucket.reserve(1, at: start) == .milliseconds(200))
    }

    @Test func refillsWithTimeUpToABurst() {
        var bucket = TokenBucket(perSecond: 10, now: start)
        #expect(bucket.reserve(10, at: start) == .zero)
        #expect(bucket.reserve(5, at: at(500)) == .zero)
        #expect(bucket.reserve(1, at: at(500)) == .milliseconds(100))
        // A long pause fills the bucket, no more.
        #expect(bucket.reserve(10, at: at(100_000)) == .zero)
        #expect(bucket.reserve(1, at: at(100_000)) == .milliseconds(100))
    }

    @Test func aBatchTakesAPermitPerCall() {
        var bucket = TokenBucket(perSecond: 10, now: start)
        #expect(bucket.reserve(4, at: start) == .zero)
        #expect(bucket.reserve(6, at: start) == .zero)
        #expect(bucket.reserve(5, at: start) == .milliseconds(500))
    }

    @Test func aBatchLargerThanABurstWaitsForAFullBucketAndLeavesADebt() {
        var bucket = TokenBucket(perSecond: 10, now: start)
        #expect(bucket.reserve(1, at: start) == .zero)
        // 30 calls: the bucket must be full (0.1 s), then 20 are owed.
        #expect(bucket.reserve(30, at: start) == .milliseconds(100))
        #expect(bucket.reserve(1, at: start) == .milliseconds(2200))
        // 2.2 s later the debt is paid.
        #expect(bucket.reserve(1, at: at(2300)) == .zero)
    }

    @Test func anEarlierInstantRefillsNothing() {
        var bucket = TokenBucket(perSecond: 10, now: at(1000))
        for _ in 0..<10 { #expect(bucket.reserve(1, at: at(1000)) == .zero) }
        #expect(bucket.reserve(1, at: start) == .milliseconds(100))
    }

    @Test func absurdRatesAndCountsStayFinite() {
        var slow = TokenBucket(perSecond: 0, now: start)
        #expect(slow.reserve(1, at: start) == .zero)
        #expect(slow.reserve(1, at: start) == .seconds(1000))
        var nan = TokenBucket(perSecond: .nan, now: start)
        #expect(nan.reserve(1, at: start) == .zero)
        #expect(nan.reserve(1, at: start) == .seconds(1000))
        var fast = TokenBucket(perSecond: .infinity, now: start)
        for _ in 0..<1000 { #expect(fast.reserve(1_000_000, at: start) == .zero) }
        var bucket = TokenBucket(perSecond: 1, now: start)
        #expect(bucket.reserve(Int.max, at: start) == .zero)
        #expect(bucket.reserve(1, at: start) == .seconds(86_400))
        #expect(bucket.reserve(-5, at: start) == .seconds(86_400))
    }

    /// `take`, as the status API's limits use it: a permit only when there is one.
    @Test func aBurstThenTheRefillRate() {
        var bucket = TokenBucket(capacity: 2, perSecond: 4, now: start)
        #expect(bucket.take(now: start) == nil)
        #expect(bucket.take(now: start) == nil)
        let wait = bucket.take(now: start)
        #expect(wait == .milliseconds(250))
        #expect(bucket.take(now: start + .milliseconds(250)) == nil)
        #expect(bucket.take(now: start + .milliseconds(260)) != nil)
        // Refill stops at the capacity.
        #expect(bucket.take(now: start + .seconds(10)) == nil)
        #expect(bucket.take(now: start + .seconds(10)) == nil)
        #expect(bucket.take(now: start + .seconds(10)) != nil)
    }

    @Test func countsCallsAndSends() {
        let count = CallCount(["getSlot", "sendTransaction", "sendTransaction", "getBalance"])
        #expect(count.calls == 4 && count.sends == 2)
    }
}

/// The send limit with real time, at a small scale: sendTransaction calls are counted, other calls are not.
struct SendRateLimitTests {
    @Test func sendsAreLimitedApartFromOtherCalls() async throws {
        let server = try await RateLimitTests.server()
        let client = try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: server.url, sendsPerSecond: 20)], logger: Logger(label: "SendRateLimitTests"))
        let sends = Array(repeating: (method: "sendTransaction", params: [JSONValue]()), count: 10)
        let reads = Array(repeating: (method: "getSlot", params: [JSONValue]()), count: 200)
        let start = ContinuousClock.now
        for _ in 0..<5 { _ = try await client.batch(reads) }
        for _ in 0..<3 { _ = try await client.batch(sends + reads) }
        // 30 sends at 20 a second, 20 of them at once: 10 more take 0.5 s. Were the 1,600 reads counted too, they would
        // take 80 s: the upper bound holds on a loaded machine (a run took 16.5 s with 400 reads under four parallel
        // builds) and still tells the two apart.
        let took = ContinuousClock.now - start
        #expect(took >= .milliseconds(450) && took < .seconds(40), "took \(took)")
        try await server.close()
    }
}
