public import Foundation
import SolanaCore

/// The subscriptions of one PubSub connection as a pure value: what its owner wants, what was asked for, and what
/// the node confirmed. Given events (wanted, no longer wanted, connected, disconnected, a message), it says which
/// requests to send and which notification a message is. After a reconnection every wanted subscription is asked
/// for again; a signature subscription ends with its notification, as on a node.
public struct SubscriptionBook: Sendable {
    /// A JSON-RPC request to send, as text.
    public struct Request: Sendable, Hashable {
        public var id: Int
        public var text: String
    }

    public let commitment: Commitment
    private(set) var wanted: Set<ChainSubscription> = []
    private var pending: [Int: ChainSubscription] = [:]
    private var active: [Int: ChainSubscription] = [:]
    private var activeIDs: [ChainSubscription: Int] = [:]
    private(set) var isConnected = false
    private var nextRequestID = 1

    public init(commitment: Commitment = .confirmed) {
        self.commitment = commitment
    }

    /// The subscriptions the node confirmed on the current connection.
    public var confirmed: Set<ChainSubscription> { Set(activeIDs.keys) }

    /// Adds wanted subscriptions; on a live connection, asks for those not asked for yet.
    public mutating func want(_ subscriptions: some Sequence<ChainSubscription>) -> [Request] {
        var requests: [Request] = []
        for subscription in subscriptions where wanted.insert(subscription).inserted {
            if isConnected { requests.append(subscribe(subscription)) }
        }
        return requests
    }

    /// Removes wanted subscriptions; those the node confirmed are unsubscribed, those still asked for are
    /// unsubscribed when their answer comes.
    public mutating func drop(_ subscriptions: some Sequence<ChainSubscription>) -> [Request] {
        var requests: [Request] = []
        for subscription in subscriptions where wanted.remove(subscription) != nil {
            if let id = activeIDs.removeValue(forKey: subscription) {
                active[id] = nil
                if isConnected { requests.append(unsubscribe(subscription, id: id)) }
            }
        }
        return requests
    }

    /// A connection opened: every wanted subscription is asked for.
    public mutating func connected() -> [Request] {
        isConnected = true
        pending = [:]
        active = [:]
        activeIDs = [:]
        return wanted.sorted { $0.description < $1.description }.map { subscribe($0) }
    }

    /// The connection closed: nothing is subscribed any more (the wanted ones are asked for on the next one).
    public mutating func disconnected() {
        isConnected = false
        pending = [:]
        active = [:]
        activeIDs = [:]
    }

    /// What a message means: the notification it carries, if any, and requests to send (an unsubscribe for a
    /// subscription no longer wanted when its id came).
    public mutating func received(_ text: some ContiguousBytes) -> (notification: ChainNotification?, requests: [Request]) {
        switch PubSubMessage(text) {
        case .subscribed(let requestID, let subscriptionID):
            guard let subscription = pending.removeValue(forKey: requestID) else { return (nil, []) }
            guard wanted.contains(subscription) else { return (nil, [unsubscribe(subscription, id: subscriptionID)]) }
            active[subscriptionID] = subscription
            activeIDs[subscription] = subscriptionID
            return (nil, [])
        case .refused(let requestID, _):
            // Refused (a bad parameter, a provider limit): it stays wanted and is asked for again on the next
            // connection; until then the owner's polling covers it.
            pending[requestID] = nil
            return (nil, [])
        case .answered(let requestID):
            pending[requestID] = nil
            return (nil, [])
        case .logs(let subscriptionID, let signature, let slot, let failed):
            guard case .mentions(let address)? = active[subscriptionID] else { return (nil, []) }
            return (.mentioned(address, signature: signature, slot: slot, failed: failed), [])
        case .signature(let subscriptionID, let slot, let error):
            guard case .signature(let signature)? = active.removeValue(forKey: subscriptionID) else { return (nil, []) }
            activeIDs[.signature(signature)] = nil
            wanted.remove(.signature(signature))
            return (.signature(signature, slot: slot, error: error), [])
        case .other:
            return (nil, [])
        }
    }

    private mutating func subscribe(_ subscription: ChainSubscription) -> Request {
        let id = nextID()
        pending[id] = subscription
        let config = #"{"commitment":"\#(commitment.rawValue)"}"#
        switch subscription {
        case .mentions(let address):
            return Request(
                id: id, text: #"{"jsonrpc":"2.0","id":\#(id),"method":"logsSubscribe","params":[{"mentions":["\#(address.base58)"]},\#(config)]}"#)
        case .signature(let signature):
            return Request(id: id, text: #"{"jsonrpc":"2.0","id":\#(id),"method":"signatureSubscribe","params":["\#(signature.base58)",\#(config)]}"#)
        }
    }

    private mutating func unsubscribe(_ subscription: ChainSubscription, id subscriptionID: Int) -> Request {
        let id = nextID()
        pending[id] = nil
        let method = if case .mentions = subscription { "logsUnsubscribe" } else { "signatureUnsubscribe" }
        return Request(id: id, text: #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":[\#(subscriptionID)]}"#)
    }

    private mutating func nextID() -> Int {
        defer { nextRequestID = nextRequestID == Int.max ? 1 : nextRequestID + 1 }
        return nextRequestID
    }
}
