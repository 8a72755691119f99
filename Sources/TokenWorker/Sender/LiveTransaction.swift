import SolanaCore

/// A job's newest stored transaction, and where its sending stands.
struct LiveTransaction: Sendable, Hashable {
    var signature: Signature
    /// Its bytes; nil when they were not stored (it can be followed, not sent).
    var transaction: Transaction?
    var lastValidBlockHeight: UInt64
    /// The last valid height as stored, while `lastValidBlockHeight` is cut to ten lives past the highest height
    /// heard (`SenderMachine.heard(blockHeight:at:)`); nil when it is not cut.
    var storedLastValidBlockHeight: UInt64?
    var sending: SendState
    /// A status poll showed it (or another of the job's transactions) processed and successful: wait for confirmation,
    /// neither rebroadcast nor treat it as expired.
    var processed = false
    /// The preflight refused it: it never left the node.
    var refused = false
    /// A new transaction none of whose sends has been answered yet: there is nothing to poll.
    var unanswered = false
    /// It landed and failed.
    var landedFailed = false
}

/// Where a transaction's sending stands.
enum SendState: Sendable, Hashable {
    /// To be sent at (or after) `at`; with the preflight for its first send.
    case due(preflight: Bool, at: ContinuousClock.Instant)
    /// A send is on its way since `since`.
    case inFlight(preflight: Bool, since: ContinuousClock.Instant)
    /// Sent (or perhaps sent) at `at`: rebroadcast on the shared schedule until a status shows it.
    case sent(at: ContinuousClock.Instant)
}
