import Foundation

/// One JSON-RPC endpoint and the call rates its provider's plan allows. Providers put secrets in every part of the
/// URL (the user part, the path, the query string), so the URL never leaves this type but as the request's target:
/// an endpoint prints as its scheme, host and port only (`description`, which `debugDescription` and the mirror
/// repeat), whatever prints it (logs, errors, API answers, `dump`).
public struct RPCEndpoint: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The URL as configured, secrets included: read only to send requests.
    let url: String
    /// Where requests go (nil: the URL cannot be read).
    let requestTarget: RequestTarget?
    /// JSON-RPC calls per second this client sends at most (`nil`: unlimited), so it slows down before the provider
    /// answers 429. Calls, not HTTP requests: a batch of n calls counts n, as providers bill and cap them.
    public var requestsPerSecond: Double?
    /// sendTransaction calls per second this client sends at most (`nil`: unlimited), singly or inside batches, on
    /// top of `requestsPerSecond` (providers cap sends lower than reads).
    public var sendsPerSecond: Double?

    public init(url: String, requestsPerSecond: Double? = nil, sendsPerSecond: Double? = nil) {
        self.url = url
        self.requestTarget = RequestTarget(url: url)
        self.requestsPerSecond = requestsPerSecond
        self.sendsPerSecond = sendsPerSecond
    }

    /// The URL's scheme, lowercased (nil when the URL cannot be read).
    public var scheme: String? { URL(string: url)?.scheme?.lowercased() }

    /// The URL's host, lowercased, without an IPv6 address's brackets (nil when the URL cannot be read).
    public var host: String? { URL(string: url).flatMap(Self.host) }

    /// A URL's host, lowercased, without an IPv6 address's brackets; nil without one. Shared with `PubSubEndpoint`.
    static func host(_ parsed: URL) -> String? {
        guard let host = parsed.host?.lowercased(), !host.isEmpty else { return nil }
        return host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    }

    /// The URL's scheme, host and port only: how an endpoint is shown, everywhere.
    public var description: String {
        URL(string: url).flatMap(Self.shown) ?? "(an unreadable URL)"
    }

    /// A URL's scheme, host (lowercased, an IPv6 address in brackets) and port; nil without a scheme or a host. How
    /// every endpoint (JSON-RPC or PubSub) is shown.
    static func shown(_ parsed: URL) -> String? {
        guard let scheme = parsed.scheme?.lowercased(), let host = host(parsed) else { return nil }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(shownHost)" + (parsed.port.map { ":\($0)" } ?? "")
    }

    public var debugDescription: String { description }

    /// Whether requests can go to it: an http or https URL with a host, and a port in `ports` when it names one.
    public var isHTTP: Bool {
        guard let scheme, ["http", "https"].contains(scheme), host != nil else { return false }
        return requestTarget != nil
    }

    /// The ports a URL may name: a socket's port is 16 bits (AsyncHTTPClient traps on a larger one), and 0 is no
    /// port to connect to.
    public static let ports = 1...65535

    /// Whether `url` has an @ after its host part and no user part: a user name or password with an unencoded / ? or
    /// # was cut there, so what reads as its host and port (and would be shown) is the user and part of the password.
    public static func hasCutUserPart(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), components.user == nil, components.password == nil else { return false }
        return [components.percentEncodedPath, components.percentEncodedQuery ?? "", components.percentEncodedFragment ?? ""].contains {
            $0.contains("@")
        }
    }

    /// The port the URL names, as written, when it is not in `ports` (nil: none named, or one in `ports`).
    public var invalidPort: String? { Self.invalidPort(in: url) }

    /// The port `url` names, as written, when it is not in `ports` (nil: none named, one in `ports`, or a URL that
    /// cannot be read). A port too large for an `Int` is written but read as none, so the text is what is checked.
    public static func invalidPort(in url: String) -> String? {
        guard let components = URLComponents(string: url), let text = components.string, let range = components.rangeOfPort else { return nil }
        let written = String(text[range])
        guard let port = Int(written), ports.contains(port) else { return written }
        return nil
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["endpoint": description, "requestsPerSecond": requestsPerSecond as Any, "sendsPerSecond": sendsPerSecond as Any])
    }

    /// What a request to an endpoint goes to: the URL without its user part, and the user part as basic
    /// authentication (`Authorization: Basic`, user and password percent-decoded), as providers expect it.
    struct RequestTarget: Sendable, Hashable {
        let url: String
        let authorization: String?

        init?(url text: String) {
            guard var components = URLComponents(string: text), components.host != nil, RPCEndpoint.invalidPort(in: text) == nil else { return nil }
            let user = components.user
            let password = components.password
            components.user = nil
            components.password = nil
            guard let target = components.string else { return nil }
            url = target
            authorization = user == nil && password == nil ? nil : "Basic " + Data("\(user ?? ""):\(password ?? "")".utf8).base64EncodedString()
        }

        /// `url` as it is, without authentication.
        init(plain url: String) {
            self.url = url
            authorization = nil
        }
    }
}
