import Foundation

/// base64url without padding (RFC 4648 section 5), made from Foundation's base64 by the tests, independently of the
/// API's decoder (`WebSocketTokenOffer`) and the page's encoder: how a browser puts the API token into a subprotocol.
public enum Base64URL {
    /// `text`'s UTF-8 bytes in base64url, without padding.
    public static func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
