import FlutterbyeStore
import Foundation
import SolanaCore
import SolanaRPC
import Testing
import TokenWorker

/// A send answered 429 tells the worker, not the one job, to slow down: every send waits out the endpoint's
/// Retry-After (or, without one, a pause that grows while the 429s go on), as the provider asks, instead of each job
/// sending again at the next poll.
@Suite struct SendThrottleTests {
    typealias H = SenderMachineHarness

    /// Jobs 1...n claimed, built and stored: their first sends are due now; returns those sends.
    static func firstSends(_ h: inout H, _ n: Int) -> [SendOrder] {
        _ = h.tick()
        _ = h.handle(.claimed((1...n).map { H.claimed(Int64($0), "t\($0)") }))
        _ = h.handle(.built((1...n).map { (Int64($0), .success(H.built("t\($0)", blockhash: UInt8($0)))) }))
        return h.handle(.stored(Set((1...n).map(Int64.init)), of: (1...n).map(Int64.init))).sends
    }

    static func throttled(_ orders: [SendOrder], retryAfter: Duration?) -> SenderEvent {
        let outcome = SendOutcome.classify(RPCError(.rateLimited, "HTTP 429 Too Many Requests", httpStatus: 429, retryAfter: retryAfter))
        return .sent(orders.map { ($0.jobID, $0.transaction.id, outcome) })
    }

    /// Sends of `duration`'s ticks, 100 ms apart.
    static func sends(_ h: inout H, over duration: Duration) -> [SendOrder] {
        var sends: [SendOrder] = []
        var elapsed = Duration.zero
        while elapsed < duration {
            sends += h.tick(after: .milliseconds(100)).sends
            elapsed += .milliseconds(100)
        }
        return sends
    }

    @Test func everySendWaitsOutTheEndpointsRetryAfter() {
        var h = H()
        let first = Self.firstSends(&h, 8)
        #expect(first.count == 8)
        _ = h.handle(Self.throttled(first, retryAfter: .seconds(5)))
        #expect(Self.sends(&h, over: .milliseconds(4_800)).isEmpty, "a send went before the endpoint's Retry-After of 5 s")
        let again = Self.sends(&h, over: .milliseconds(400))
        #expect(Set(again.map(\.jobID)) == Set(1...8), "the sends resume once it has passed")
        #expect(again.allSatisfy { $0.preflight }, "first sends keep their preflight")
    }

    @Test func withoutRetryAfterThePauseGrowsWhileThe429sGoOn() {
        var h = H()
        var orders = Self.firstSends(&h, 2)
        var waits: [Duration] = []
        for _ in 0..<4 {
            _ = h.handle(Self.throttled(orders, retryAfter: nil))
            var waited = Duration.zero
            orders = []
            while orders.isEmpty && waited < .seconds(60) {
                orders = h.tick(after: .milliseconds(100)).sends
                waited += .milliseconds(100)
            }
            waits.append(waited)
        }
        #expect(zip(waits, waits.dropFirst()).allSatisfy { $0 < $1 }, "each 429 in a row waits longer: \(waits)")
        // Answered at last: the next 429 starts from the shortest pause again.
        _ = h.handle(.sent(orders.map { ($0.jobID, $0.transaction.id, .accepted) }))
        _ = h.tick()
        _ = h.handle(.claimed([H.claimed(3, "t3")]))
        _ = h.handle(.built([(3, .success(H.built("t3", blockhash: 3)))]))
        let third = h.handle(.stored([3], of: [3])).sends
        _ = h.handle(Self.throttled(third, retryAfter: nil))
        var waited = Duration.zero
        var resent: [SendOrder] = []
        while resent.isEmpty && waited < .seconds(60) {
            resent = h.tick(after: .milliseconds(100)).sends.filter { $0.jobID == 3 }
            waited += .milliseconds(100)
        }
        #expect(waited <= waits[0] * 2, "after an accepted send the pause starts short again: \(waited) against \(waits)")
    }

    @Test func aJobBuiltDuringThePauseWaitsToo() {
        var h = H()
        let first = Self.firstSends(&h, 1)
        _ = h.handle(Self.throttled(first, retryAfter: .seconds(3)))
        _ = h.tick(after: .milliseconds(100))
        _ = h.handle(.claimed([H.claimed(2, "late")]))
        _ = h.handle(.built([(2, .success(H.built("late", blockhash: 9)))]))
        var sends = h.handle(.stored([2], of: [2])).sends
        sends += Self.sends(&h, over: .milliseconds(2_700))
        #expect(sends.isEmpty, "\(sends.map(\.jobID)) sent during the endpoint's pause")
    }
}
