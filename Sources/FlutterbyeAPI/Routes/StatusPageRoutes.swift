import Foundation
import HTTPTypes
public import Hummingbird
public import SolanaCore

/// The status page (`GET /`) and its script, model script and style sheet (`GET /assets/...`), built into the binary
/// (`Resources/status_page.*`, embedded in code): HTML rendered once with the cluster's name and explorer link
/// template, plain JavaScript that reads the `/v1` routes and the event stream with the token the operator enters
/// (kept in the browser's session storage, never in a URL), no build step and nothing from another origin. Served
/// without a token, rate-limited per client address like every request without one, with a Content-Security-Policy
/// that allows this origin only (no inline script, no framing).
public struct StatusPageRoutes: Sendable {
    /// The page's HTML, rendered for the cluster.
    let page: [UInt8]

    /// The headers every answer of these routes carries: this origin's script, style and connections only, no
    /// framing, no content sniffing, no referrer to the explorer.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        .cacheControl: "no-cache",
    ]

    public init(cluster: SolanaCluster) {
        page = Array(Self.render(template: String(decoding: PackageResources.status_page_html, as: UTF8.self), cluster: cluster).utf8)
    }

    /// `template` with `{{cluster}}` and `{{explorer_transaction}}` (a transaction's explorer link with `{signature}`
    /// in place of the signature) filled in, escaped for HTML.
    static func render(template: String, cluster: SolanaCluster) -> String {
        template.replacingOccurrences(of: "{{cluster}}", with: escaped(cluster.description))
            .replacingOccurrences(of: "{{explorer_transaction}}", with: escaped(cluster.explorerURL(transaction: "{signature}")))
    }

    /// `text` safe inside HTML text and quoted attribute values.
    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    public func add(to router: Router<APIRequestContext>) {
        let page = self.page
        router.get("/") { _, _ in Self.answer(page, type: "text/html; charset=utf-8") }
        router.get("assets/status-page.js") { _, _ in Self.answer(PackageResources.status_page_js, type: "text/javascript; charset=utf-8") }
        router.get("assets/status-page-model.js") { _, _ in
            Self.answer(PackageResources.status_page_model_js, type: "text/javascript; charset=utf-8")
        }
        router.get("assets/status-page.css") { _, _ in Self.answer(PackageResources.status_page_css, type: "text/css; charset=utf-8") }
    }

    static func answer(_ bytes: [UInt8], type: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = type
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
