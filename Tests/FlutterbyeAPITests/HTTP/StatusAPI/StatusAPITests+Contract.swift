import ChainTestSupport
import FlutterbyeAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// What the server code generated from the OpenAPI document would do differently on its own, held as the API has
/// always answered (docs/openapi.md): any `Accept` gets JSON, `Location` is a plain path, every member is present
/// (null when unknown), dates in whole seconds, parameters checked with the API's messages.
extension StatusAPITests {
    @Test func answersKeepTheirShapeWhateverTheRequestsAcceptHeader() async throws {
        try await withAPI { http, _ in
            let created = try await http.execute(
                uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders([.accept: "text/plain"]), body: Self.jobBody("contract-1"))
            #expect(created.status == .created)
            let job = try Self.object(created)
            let id = try #require(job["id"] as? Int)
            #expect(created.headers[.location] == "/v1/jobs/\(id)")
            #expect(created.headers[.contentType] == "application/json; charset=utf-8")
            // Every member of a job, null when not known yet.
            for member in ["memo", "mint_address", "signature", "explorer_url", "mint_explorer_url", "scheduled_at", "finished_at"] {
                #expect(job.keys.contains(member), "\(member) is left out")
            }
            #expect(job["mint_address"] is NSNull && job["finished_at"] is NSNull && job["memo"] as? String == "order")
            let createdAt = try #require(job["created_at"] as? String)
            #expect(createdAt.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil, "\(createdAt)")
            for accept in ["text/plain", "*/*", "application/xml, text/html;q=0.5", "not a media type;;"] {
                let read = try await http.execute(uri: "/v1/jobs/\(id)", method: .get, headers: Self.auth.merging([.accept: accept]))
                #expect(read.status == .ok, "Accept: \(accept)")
                #expect(try Self.object(read)["id"] as? Int == id)
            }
            let page = try Self.object(try await http.execute(uri: "/v1/jobs?limit=+5", method: .get, headers: Self.auth))
            #expect((page["jobs"] as? [Any])?.count == 1)
            #expect(page.keys.contains("next_cursor") && page["next_cursor"] is NSNull)
        }
    }

    @Test func parametersAreRefusedWithTheAPIsMessages() async throws {
        try await withAPI { http, _ in
            let cases: [(String, String, String)] = [
                ("/v1/jobs/abc", "a job id is a positive whole number", "id"),
                ("/v1/jobs/0/cancel", "a job id is a positive whole number", "id"),
                ("/v1/jobs/99999999999999999999/retry", "a job id is a positive whole number", "id"),
                ("/v1/jobs?colour=red", "unknown query parameter colour; the parameters are state, limit and cursor", "colour"),
                // Read as the first of the two before: a client that meant both got the failed jobs alone.
                ("/v1/jobs?state=failed&state=running", "query parameter state is given more than once; give it once", "state"),
                ("/v1/jobs?limit=5&limit=500", "query parameter limit is given more than once; give it once", "limit"),
                (
                    "/v1/jobs?state=sleeping&limit=0",
                    "state must be one of available, running, submitted, confirmed, finalized, retryable, failed, cancelled", "state"
                ),
                ("/v1/jobs?limit=many", "limit must be a whole number from 1 to 500", "limit"),
                ("/v1/jobs?cursor=j0", "cursor is not one this API gave (pass next_cursor from the previous page)", "cursor"),
            ]
            for (uri, message, field) in cases {
                let method: HTTPRequest.Method = uri.hasSuffix("cancel") || uri.hasSuffix("retry") ? .post : .get
                let response = try await http.execute(uri: uri, method: method, headers: Self.auth)
                #expect(response.status == .badRequest, "\(uri)")
                let error = try Self.error(response)
                #expect(error.code == "invalid_request" && error.message == message && error.field == field, "\(uri): \(error)")
            }
        }
    }
}

extension HTTPFields {
    fileprivate func merging(_ other: HTTPFields) -> HTTPFields {
        var fields = self
        fields.append(contentsOf: other)
        return fields
    }
}
