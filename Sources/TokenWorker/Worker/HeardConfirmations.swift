import SolanaCore
import SolanaRPC
import Synchronization

/// Confirmations heard over PubSub, gathered until the sender's loop takes them: the notifications of a busy slot (one
/// a transaction) reach the state machine, which looks at every job in flight on each event, as one event instead of
/// one each.
final class HeardConfirmations: Sendable {
    private let waiting = Mutex<[Signature: SignatureStatus]>([:])

    /// Keeps one; true when it is the first since the last `take` (the caller then posts one `.notified` for all).
    func add(_ signature: Signature, _ status: SignatureStatus) -> Bool {
        waiting.withLock { waiting in
            waiting[signature] = status
            return waiting.count == 1
        }
    }

    /// Every confirmation kept since the last take.
    func take() -> [Signature: SignatureStatus] {
        waiting.withLock { waiting in
            defer { waiting = [:] }
            return waiting
        }
    }
}
