import Foundation

/// A node's PubSub (WebSocket) endpoint. Like `RPCEndpoint`, its URL may carry a provider's key in any part, so it
/// prints as its scheme, host and port only, whatever prints it; the URL is read only to connect.
public struct PubSubEndpoint: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The URL as configured, secrets included.
    let url: URL

    /// An endpoint from a ws:// or wss:// URL whose port, when it names one, is in `RPCEndpoint.ports`; nil for
    /// anything else.
    public init?(url text: String) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["ws", "wss"].contains(scheme), url.host != nil,
            RPCEndpoint.invalidPort(in: text) == nil
        else {
            return nil
        }
        self.url = url
    }

    init(verified url: URL) {
        self.url = url
    }

    /// The PubSub endpoint of a JSON-RPC endpoint, as Solana's clients derive it: `ws` for `http`, `wss` for
    /// `https`, the port one higher when one is given (a node serves PubSub on its RPC port + 1), path and query kept;
    /// none from a URL whose port is not in `RPCEndpoint.ports`.
    public init?(derivedFrom endpoint: RPCEndpoint) {
        guard endpoint.invalidPort == nil else { return nil }
        guard let rpc = URL(string: endpoint.url), var components = URLComponents(url: rpc, resolvingAgainstBaseURL: false) else { return nil }
        switch components.scheme?.lowercased() {
        case "http": components.scheme = "ws"
        case "https": components.scheme = "wss"
        default: return nil
        }
        if let port = components.port, port < 65535 { components.port = port + 1 }
        guard let url = components.url, url.host != nil else { return nil }
        self.url = url
    }

    /// What to connect to: the URL without its user part, which the WebSocket client would take for the host (it
    /// reads the host up to the first ':'), and the user part as basic authentication of the upgrade request.
    var target: RPCEndpoint.RequestTarget {
        RPCEndpoint.RequestTarget(url: url.absoluteString) ?? RPCEndpoint.RequestTarget(plain: url.absoluteString)
    }

    /// The URL's scheme, lowercased: ws or wss.
    public var scheme: String? { url.scheme?.lowercased() }

    /// The URL's host, lowercased, without an IPv6 address's brackets.
    public var host: String? { RPCEndpoint.host(url) }

    public var description: String { RPCEndpoint.shown(url) ?? "(an unreadable URL)" }

    public var debugDescription: String { description }

    public var customMirror: Mirror { Mirror(self, children: ["endpoint": description]) }
}
