import Testing

@testable import FlutterbyeAPI

/// When the probe's findings make an outage: a refused or broken connection at once; silence (no answer within the
/// probe's time, as a loaded machine gives now and then) only when it lasts; an answer ends it.
struct DatabaseOutageRuleTests {
    @Test func aRefusedConnectionIsAnOutageAtOnceAndAnAnswerEndsIt() {
        var outage = DatabaseOutage(silencesForOutage: 3)
        outage.record(.unreachable("connection refused"))
        #expect(outage.reason == "connection refused")
        outage.record(.answers)
        #expect(outage.reason == nil)
    }

    @Test func silenceIsAnOutageOnlyWhenItLasts() {
        var outage = DatabaseOutage(silencesForOutage: 3)
        outage.record(.silent("no answer within 2 seconds"))
        outage.record(.silent("no answer within 2 seconds"))
        #expect(outage.reason == nil, "two slow probes in a row are a loaded machine, not an outage")
        outage.record(.answers)
        outage.record(.silent("no answer within 2 seconds"))
        outage.record(.silent("no answer within 2 seconds"))
        #expect(outage.reason == nil, "an answer starts the count again")
        outage.record(.silent("no answer within 2 seconds"))
        #expect(outage.reason == "no answer within 2 seconds")
        // An outage lasts through silence, and a check cancelled at shutdown changes nothing.
        outage.record(.silent("no answer within 2 seconds"))
        outage.record(.unknown)
        #expect(outage.reason != nil)
    }
}
