import FlutterbyeAPI
import Testing

/// A connection's timeouts as a plain value, with the time given: the request-read deadline runs from a request's
/// first byte however slowly the rest comes, stops once the request has been read, and the idle deadline runs from
/// the last answer; a WebSocket has neither; output that waits for the client too long expires in every phase.
struct ConnectionDeadlinesTests {
    let limits = ConnectionLimits(requestReadTimeout: .seconds(10), idleTimeout: .seconds(60), maxConnections: 8)
    let start = ContinuousClock.now

    @Test func anIdleConnectionExpiresAtTheIdleTimeout() {
        let deadlines = ConnectionDeadlines(limits: limits, openedAt: start)
        #expect(deadlines.deadline == start + .seconds(60))
        #expect(deadlines.expiry(at: start + .seconds(59)) == nil)
        #expect(deadlines.expiry(at: start + .seconds(60)) == .idle)
    }

    @Test func aRequestTrickledAByteAtATimeExpiresAtTheRequestReadTimeoutOfItsFirstByte() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: start)
        deadlines.bytesRead(at: start + .seconds(30))
        // Every later byte is activity, but the deadline stays where the first byte put it, before the idle one.
        for second in 31..<40 { deadlines.bytesRead(at: start + .seconds(second)) }
        #expect(deadlines.deadline == start + .seconds(40))
        #expect(deadlines.expiry(at: start + .seconds(39)) == nil)
        #expect(deadlines.expiry(at: start + .seconds(40)) == .requestRead)
    }

    @Test func aRequestReadWholeHasNoDeadlineUntilItsAnswerThenTheIdleOneRuns() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: start)
        deadlines.bytesRead(at: start + .seconds(1))
        deadlines.requestRead()
        #expect(deadlines.deadline == nil)
        #expect(deadlines.expiry(at: start + .seconds(3600)) == nil, "a route working on a request is not cut off here")
        deadlines.bytesWritten(at: start + .seconds(5), switchingProtocols: false)
        #expect(deadlines.deadline == start + .seconds(65))
        // The next request on the connection starts its own request-read deadline.
        deadlines.bytesRead(at: start + .seconds(20))
        #expect(deadlines.deadline == start + .seconds(30))
    }

    @Test func anAnswerWrittenBeforeTheRequestIsReadEndsItsDeadline() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: start)
        deadlines.bytesRead(at: start)
        deadlines.bytesWritten(at: start + .seconds(2), switchingProtocols: false)
        #expect(deadlines.phase == .idle(since: start + .seconds(2)))
        // A signal that comes after the answer changes nothing.
        deadlines.requestRead()
        #expect(deadlines.phase == .idle(since: start + .seconds(2)))
    }

    @Test func aWebSocketHasNoDeadline() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: start)
        deadlines.bytesRead(at: start)
        deadlines.requestRead()
        deadlines.bytesWritten(at: start + .milliseconds(10), switchingProtocols: true)
        deadlines.bytesRead(at: start + .seconds(100))
        deadlines.bytesWritten(at: start + .seconds(200), switchingProtocols: false)
        #expect(deadlines.phase == .upgraded)
        #expect(deadlines.deadline == nil && deadlines.expiry(at: start + .seconds(100_000)) == nil)
    }

    /// A WebSocket whose client stops reading: its output backs up, and once it has waited the stalled-write timeout
    /// (30 s by default) the connection expires; output that drains in time starts the wait again.
    @Test func outputThatWaitsForTheClientExpiresAtTheStalledWriteTimeoutEvenOnAWebSocket() {
        var deadlines = ConnectionDeadlines(limits: limits, openedAt: start)
        deadlines.bytesRead(at: start)
        deadlines.requestRead()
        deadlines.bytesWritten(at: start, switchingProtocols: true)
        deadlines.writability(false, at: start + .seconds(10))
        deadlines.writability(true, at: start + .seconds(20))
        #expect(deadlines.deadline == nil)
        deadlines.writability(false, at: start + .seconds(100))
        deadlines.writability(false, at: start + .seconds(110))
        #expect(deadlines.deadline == start + .seconds(130))
        #expect(deadlines.expiry(at: start + .seconds(129)) == nil)
        #expect(deadlines.expiry(at: start + .seconds(130)) == .stalledWrite)
    }

    @Test func limitsAreClamped() {
        let tiny = ConnectionLimits(requestReadTimeout: .zero, idleTimeout: .seconds(-1), maxConnections: 0)
        #expect(tiny.requestReadTimeout == .milliseconds(100) && tiny.idleTimeout == .milliseconds(100) && tiny.maxConnections == 1)
    }
}
