import Foundation
public import SolanaCore

/// What a subscription asks the node to notify: transactions that mention an address (`logsSubscribe` with one
/// address in `mentions`), or one transaction reaching the commitment (`signatureSubscribe`).
public enum ChainSubscription: Sendable, Hashable, CustomStringConvertible {
    case mentions(PublicKey)
    case signature(Signature)

    public var description: String {
        switch self {
        case .mentions(let address): "mentions of \(address.base58)"
        case .signature(let signature): "signature \(signature.base58)"
        }
    }
}

/// A notification of a subscription.
public enum ChainNotification: Sendable, Hashable {
    /// A transaction that mentions `address` reached the commitment in `slot`.
    case mentioned(PublicKey, signature: Signature, slot: UInt64, failed: Bool)
    /// The transaction reached the commitment in `slot`; `error` is its error when it failed.
    case signature(Signature, slot: UInt64, error: JSONValue?)
}

/// One message a PubSub endpoint sends: the answer to a request (a subscription id, or an error), a notification of
/// a subscription, or something this client does not use. Anything malformed reads as `.other`, never a trap.
enum PubSubMessage: Sendable, Hashable {
    case subscribed(requestID: Int, subscriptionID: Int)
    case refused(requestID: Int, message: String)
    /// The answer to an unsubscribe (or any other request whose result is not a subscription id).
    case answered(requestID: Int)
    case logs(subscriptionID: Int, signature: Signature, slot: UInt64, failed: Bool)
    case signature(subscriptionID: Int, slot: UInt64, error: JSONValue?)
    case other

    init(_ text: some ContiguousBytes) {
        guard case .object(let message)? = try? JSONValue.parse(text) else {
            self = .other
            return
        }
        if let id = message["id"]?.uint64.flatMap({ Int(exactly: $0) }) {
            if case .object(let error)? = message["error"] {
                if case .string(let text)? = error["message"] {
                    self = .refused(requestID: id, message: text)
                } else {
                    self = .refused(requestID: id, message: "an error without a message")
                }
            } else if let subscription = message["result"]?.uint64.flatMap({ Int(exactly: $0) }) {
                self = .subscribed(requestID: id, subscriptionID: subscription)
            } else {
                self = .answered(requestID: id)
            }
            return
        }
        guard case .string(let method)? = message["method"], case .object(let params)? = message["params"],
            let subscription = params["subscription"]?.uint64.flatMap({ Int(exactly: $0) }), case .object(let result)? = params["result"],
            case .object(let context)? = result["context"], let slot = context["slot"]?.uint64, case .object(let value)? = result["value"]
        else {
            self = .other
            return
        }
        let error = value["err"].flatMap { $0 == .null ? nil : $0 }
        switch method {
        case "logsNotification":
            guard case .string(let text)? = value["signature"], let signature = try? Signature(base58: text) else {
                self = .other
                return
            }
            self = .logs(subscriptionID: subscription, signature: signature, slot: slot, failed: error != nil)
        case "signatureNotification":
            self = .signature(subscriptionID: subscription, slot: slot, error: error)
        default:
            self = .other
        }
    }
}
