/// Whether the database counts as down, from the probe's findings in order (a plain value): a refused or broken
/// connection is an outage at once; silence (no answer within the probe's time) only after `silencesForOutage` in a
/// row, so that a slow moment of a loaded machine is not taken for one (a request's own work is bounded anyway, by
/// `DatabaseGate.timeout`); an answer ends it.
struct DatabaseOutage: Sendable, Hashable {
    let silencesForOutage: Int
    /// Why the database counts as down; nil while it does not.
    private(set) var reason: String?
    private var silences = 0

    init(silencesForOutage: Int) {
        self.silencesForOutage = max(1, silencesForOutage)
    }

    mutating func record(_ finding: DatabaseProbe.Finding) {
        switch finding {
        case .answers:
            silences = 0
            reason = nil
        case .unreachable(let why):
            silences = 0
            reason = why
        case .silent(let why):
            silences += 1
            if reason != nil || silences >= silencesForOutage { reason = why }
        case .unknown:
            break
        }
    }
}
