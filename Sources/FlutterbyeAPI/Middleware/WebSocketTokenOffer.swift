import Foundation

/// What a WebSocket upgrade offers in `Sec-WebSocket-Protocol`, read for the API token a browser sends there (it
/// cannot set an `Authorization` header on a WebSocket): the subprotocols `flutterbye.v1` and
/// `flutterbye.bearer.<the token in base64url, without padding>`. The server answers with `flutterbye.v1` only, so the
/// token is never echoed; the token is never taken from the URL. A pure value: the header's values in, the token out.
struct WebSocketTokenOffer: Sendable, Hashable {
    /// The subprotocol a client offers to speak this API's stream; the server's answer.
    static let streamProtocol = "flutterbye.v1"
    /// The prefix of the subprotocol that carries the token.
    static let tokenPrefix = "flutterbye.bearer."

    /// The token offered (its bytes), if a subprotocol carries one.
    var token: [UInt8]?
    /// Whether `flutterbye.v1` is offered (then the server answers with it).
    var offersStreamProtocol: Bool
    /// Why a subprotocol that looks like a token cannot be one (not base64url, or offered twice), if so.
    var problem: String?

    /// Reads the `Sec-WebSocket-Protocol` header's values (each a comma-separated list of subprotocols).
    init(headerValues: [String]) {
        token = nil
        offersStreamProtocol = false
        problem = nil
        let offered = headerValues.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for name in offered {
            if name == Self.streamProtocol {
                offersStreamProtocol = true
            } else if name.hasPrefix(Self.tokenPrefix) {
                guard token == nil, problem == nil else {
                    token = nil
                    problem = "Sec-WebSocket-Protocol offers more than one \(Self.tokenPrefix) subprotocol; offer one"
                    continue
                }
                guard let bytes = Self.base64URLDecoded(name.dropFirst(Self.tokenPrefix.count)), !bytes.isEmpty else {
                    problem = "the \(Self.tokenPrefix) subprotocol must carry the API token in base64url (A-Z a-z 0-9 - _, no padding)"
                    continue
                }
                token = bytes
            }
        }
    }

    /// The bytes `text` encodes in base64url without padding (RFC 4648 section 5); nil for anything else.
    static func base64URLDecoded(_ text: some StringProtocol) -> [UInt8]? {
        guard text.utf8.count % 4 != 1,
            text.utf8.allSatisfy({
                ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F
            })
        else { return nil }
        var standard = String(text).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.utf8.count % 4) % 4)
        return Data(base64Encoded: standard).map { Array($0) }
    }

    /// `bytes` in base64url without padding, as a client writes the token into its subprotocol.
    static func base64URLEncoded(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
