import FlutterbyeAPI
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// HEAD, which uptime checkers and load balancers send: every GET route answers it as it answers GET (status, headers,
/// authentication) without the body. It was a 404 on every route.
extension StatusAPITests {
    @Test func everyGETRouteAnswersHEADWithoutItsBody() async throws {
        try await withAPI { http, _ in
            for (uri, headers, status) in [
                ("/healthz", [:], HTTPResponse.Status.ok), ("/readyz", [:], .ok), ("/openapi.json", [:], .ok), ("/", [:], .ok),
                ("/v1/stats", Self.auth, .ok), ("/v1/jobs", Self.auth, .ok), ("/v1/index", Self.auth, .ok), ("/v1/stats", [:], .unauthorized),
                ("/v1/jobs/12345", Self.auth, .notFound),
            ] as [(String, HTTPFields, HTTPResponse.Status)] {
                let get = try await http.execute(uri: uri, method: .get, headers: headers)
                let head = try await http.execute(uri: uri, method: .head, headers: headers)
                #expect(get.status == status, "GET \(uri)")
                #expect(head.status == status, "HEAD \(uri)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(uri)")
                #expect(head.body.readableBytes == 0, "HEAD \(uri)")
            }
            // A route with no GET still refuses HEAD.
            let cancel = try await http.execute(uri: "/v1/jobs/1/cancel", method: .head, headers: Self.auth)
            #expect(cancel.status == .methodNotAllowed || cancel.status == .notFound, "\(cancel.status)")
        }
    }
}
