import FlutterbyeStore
import Testing

/// Whether a stream can resume after a cursor, decided from where the cursor stands (no database): the cursors a
/// stream hands out resume, one before the horizon has expired, one past the log's end is ahead of it.
struct EventCursorStandingTests {
    /// Transactions below 900 have ended, 900 to 949 have begun (some may run), 950 and later have not begun; the
    /// horizon is event 40 of transaction 500.
    func standing(eventAtOrAfter: Bool) -> EventCursorStanding {
        EventCursorStanding(
            horizon: EventCursor(transaction: 500, sequence: 40), oldestRunning: 900, nextUnassigned: 950, eventAtOrAfter: eventAtOrAfter)
    }

    @Test func theCursorsAStreamHandsOutResume() {
        // An event's own cursor: its event is there.
        #expect(standing(eventAtOrAfter: true).verdict(on: EventCursor(transaction: 700, sequence: 12)) == .resumes)
        // The present (`latest()`): the newest ended transaction, after all of its events, which it may not have.
        #expect(standing(eventAtOrAfter: false).verdict(on: EventCursor(transaction: 899, sequence: .max)) == .resumes)
        // The horizon itself (`from=oldest` after pruning): its event is gone.
        #expect(standing(eventAtOrAfter: false).verdict(on: EventCursor(transaction: 500, sequence: 40)) == .resumes)
        // A fresh log's origin, with the horizon there too.
        let fresh = EventCursorStanding(horizon: .origin, oldestRunning: 900, nextUnassigned: 950, eventAtOrAfter: false)
        #expect(fresh.verdict(on: .origin) == .resumes)
    }

    @Test func aCursorBeforeTheHorizonHasExpired() {
        #expect(standing(eventAtOrAfter: true).verdict(on: EventCursor(transaction: 500, sequence: 39)) == .expired)
        #expect(standing(eventAtOrAfter: false).verdict(on: .origin) == .expired)
    }

    @Test func aCursorPastTheLogsEndIsAhead() {
        for transaction: UInt64 in [950, 951, .max] {
            guard case .ahead(let reason) = standing(eventAtOrAfter: false).verdict(on: EventCursor(transaction: transaction, sequence: 0)) else {
                Issue.record("\(transaction) was not refused")
                continue
            }
            #expect(reason.contains("has not begun"))
        }
        // Past the last event of a transaction that has ended.
        guard case .ahead(let reason) = standing(eventAtOrAfter: false).verdict(on: EventCursor(transaction: 700, sequence: 13)) else {
            Issue.record("a sequence past its ended transaction's events was not refused")
            return
        }
        #expect(reason.contains("has ended"))
    }

    @Test func aCursorInATransactionThatMayStillRunIsNotRefused() {
        // Between the oldest running transaction and the first unassigned one: its events may still come.
        #expect(standing(eventAtOrAfter: false).verdict(on: EventCursor(transaction: 920, sequence: 5)) == .resumes)
    }
}
