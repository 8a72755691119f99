import FlutterbyeAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing

/// Requests without a valid API token (health, readiness, metrics, the OpenAPI document, and any request whose token
/// is missing or wrong) are rate-limited per client address: 429 with `Retry-After` past the burst. A caller with a
/// valid token is not held to that limit.
extension StatusAPITests {
    @Test func unauthenticatedRequestsAreLimitedPerClientAddress() async throws {
        try await withAPI(metrics: PrometheusCollectorRegistry(), configure: { $0.unauthenticatedLimit = .init(burst: 5, perSecond: 0.01) }) {
            http, _ in
            for uri in ["/healthz", "/metrics", "/openapi.json"] {
                #expect(try await http.execute(uri: uri, method: .get).status == .ok, "\(uri)")
            }
            for headers: HTTPFields in [[:], [.authorization: "Bearer a-guessed-token-0123456789"]] {
                #expect(try await http.execute(uri: "/v1/jobs", method: .get, headers: headers).status == .unauthorized)
            }
            // The burst of 5 is spent: every kind of unauthenticated request is refused now.
            for (uri, headers) in [
                ("/healthz", [:]), ("/readyz", [:]), ("/metrics", [:]), ("/v1/jobs", [.authorization: "Bearer a-guessed-token-0123456789"]),
            ]
                as [(String, HTTPFields)]
            {
                let limited = try await http.execute(uri: uri, method: .get, headers: headers)
                #expect(limited.status == .tooManyRequests, "\(uri)")
                #expect(try Self.error(limited).code == "rate_limited")
                #expect(limited.headers[.retryAfter].flatMap { Int($0) }.map { $0 >= 1 } == true, "\(uri)")
            }
            // A caller with the token is not limited by its address.
            for _ in 0..<10 {
                #expect(try await http.execute(uri: "/v1/jobs", method: .get, headers: Self.auth).status == .ok)
            }
        }
    }
}
