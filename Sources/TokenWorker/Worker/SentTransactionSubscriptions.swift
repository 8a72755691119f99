import SolanaCore
import SolanaRPC
import Synchronization

/// The sender's transactions subscribed to over PubSub (`signatureSubscribe`), by job: each sent transaction is
/// subscribed to, and a job's subscriptions end with the job (one that landed ends with its notification).
final class SentTransactionSubscriptions: Sendable {
    let subscriptions: ChainSubscriptions
    private let byJob = Mutex<[Int64: [Signature]]>([:])

    init(_ subscriptions: ChainSubscriptions) {
        self.subscriptions = subscriptions
    }

    func sent(_ orders: [SendOrder]) {
        byJob.withLock { byJob in
            for order in orders where byJob[order.jobID]?.contains(order.transaction.id) != true {
                byJob[order.jobID, default: []].append(order.transaction.id)
            }
        }
        subscriptions.want(orders.map { .signature($0.transaction.id) })
    }

    func finished(_ jobID: Int64) {
        let signatures = byJob.withLock { $0.removeValue(forKey: jobID) } ?? []
        if !signatures.isEmpty { subscriptions.drop(signatures.map { .signature($0) }) }
    }
}
