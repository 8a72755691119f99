import FlutterbyeTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The status page and its assets over HTTP: served without a token, with a Content-Security-Policy that allows this
/// origin only (no inline script), the cluster's explorer template rendered in, the bytes of the files under
/// Sources/FlutterbyeAPI/Resources built into the binary.
extension StatusAPITests {
    @Test func theStatusPageAndItsAssetsAreServedWithoutATokenUnderAStrictContentSecurityPolicy() async throws {
        try await withAPI { http, _ in
            let resources = Repository.root.appendingPathComponent("Sources/FlutterbyeAPI/Resources")
            let routes = [
                ("/", "text/html; charset=utf-8", "status_page.html"),
                ("/assets/status-page.js", "text/javascript; charset=utf-8", "status_page.js"),
                ("/assets/status-page-model.js", "text/javascript; charset=utf-8", "status_page_model.js"),
                ("/assets/status-page.css", "text/css; charset=utf-8", "status_page.css"),
            ]
            for (path, type, file) in routes {
                try await http.execute(uri: path, method: .get) { (response: TestResponse) async throws in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.contentType] == type, "\(path)")
                    let policy = try #require(response.headers[.contentSecurityPolicy], "\(path)")
                    for directive in ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'none'"] {
                        #expect(policy.contains(directive), "\(path): \(policy)")
                    }
                    #expect(!policy.contains("unsafe"), "\(policy)")
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                    let body = String(buffer: response.body)
                    let source = try String(contentsOf: resources.appendingPathComponent(file), encoding: .utf8)
                    if path == "/" {
                        // The template with the cluster and its explorer link filled in, nothing left to fill.
                        let rendered = source.replacingOccurrences(of: "{{cluster}}", with: "custom").replacingOccurrences(
                            of: "{{explorer_transaction}}", with: "https://explorer.solana.com/tx/{signature}?cluster=custom")
                        #expect(body == rendered)
                        #expect(!body.contains("{{"))
                        // Every script is a file of this origin: the policy allows no inline one.
                        let scripts = body.components(separatedBy: "<script").dropFirst()
                        #expect(scripts.count == 2 && scripts.allSatisfy { $0.hasPrefix(" src=\"/assets/") }, "\(scripts)")
                        #expect(body.firstMatch(of: /\son[a-z]+\s*=/) == nil, "no inline event handler")
                    } else {
                        #expect(body == source, "\(path) is the file under Sources/FlutterbyeAPI/Resources")
                    }
                }
            }
            // The page needs no token to load; the API behind it does.
            try await http.execute(uri: "/v1/stats", method: .get) { (response: TestResponse) async throws in
                #expect(response.status == .unauthorized)
            }
        }
    }
}
