import FlutterbyeAPI
import FlutterbyeIndexer
import FlutterbyeStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Prometheus
import SolanaCore
import SolanaRPC
import Testing

/// The job routes after enqueueing: authentication, paging, cancel and retry, the per-token write limit.
extension StatusAPITests {
    @Test func everyJobRouteNeedsTheToken() async throws {
        try await withAPI { http, _ in
            let routes: [(String, HTTPRequest.Method)] = [
                ("/v1/jobs", .post), ("/v1/jobs", .get), ("/v1/jobs/1", .get), ("/v1/jobs/1/cancel", .post), ("/v1/jobs/1/retry", .post),
            ]
            for (uri, method) in routes {
                for headers: HTTPFields in [
                    [:], [.authorization: "Bearer wrong-token"], [.authorization: "Basic \(Self.token)"], [.authorization: "Bearer \(Self.token)x"],
                ] {
                    let response = try await http.execute(uri: uri, method: method, headers: headers, body: Self.jobBody("auth"))
                    #expect(response.status == .unauthorized, "\(method) \(uri) with \(headers)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    let error = try Self.error(response)
                    #expect(error.code == "unauthorized")
                    #expect(!error.message.contains(Self.token) && !error.message.contains("wrong-token"), "no token in an answer")
                }
            }
            // The rotated-in second token works too.
            try await http.execute(uri: "/v1/jobs", method: .get, headers: [.authorization: "Bearer another-token-for-rotation"]) {
                (response: TestResponse) async throws in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func jobsArePagedNewestFirstWithoutRepeatsOrGaps() async throws {
        try await withAPI { http, queue in
            var ids: [Int] = []
            for n in 0..<7 {
                let response = try await http.execute(
                    uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("page-\(n)"))
                ids.append(try #require(try Self.object(response)["id"] as? Int))
            }
            _ = try await queue.cancel(jobID: Int64(ids[1]))
            var seen: [Int] = []
            var cursor: String?
            var pages = 0
            repeat {
                let uri = "/v1/jobs?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try Self.object(try await http.execute(uri: uri, method: .get, headers: Self.auth))
                let jobs = try #require(page["jobs"] as? [[String: Any]])
                seen += jobs.compactMap { $0["id"] as? Int }
                cursor = page["next_cursor"] as? String
                pages += 1
                // A job enqueued between pages does not disturb the pages after it.
                if pages == 1 { _ = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("late")) }
            } while cursor != nil && pages < 10
            #expect(seen == ids.reversed(), "every job once, newest first")
            #expect(pages == 3)

            let cancelled = try Self.object(try await http.execute(uri: "/v1/jobs?state=cancelled", method: .get, headers: Self.auth))
            #expect((cancelled["jobs"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } == [ids[1]])
            for bad in ["/v1/jobs?state=sleeping", "/v1/jobs?limit=0", "/v1/jobs?limit=501", "/v1/jobs?cursor=12", "/v1/jobs?colour=red"] {
                let response = try await http.execute(uri: bad, method: .get, headers: Self.auth)
                #expect(response.status == .badRequest, "\(bad)")
                #expect(try Self.error(response).field != nil)
            }
        }
    }

    @Test func cancelAndRetryFollowTheJobsState() async throws {
        try await withAPI { http, queue in
            let created = try Self.object(
                try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("cr-1")))
            let id = try #require(created["id"] as? Int)
            // Retrying a job that has not failed: 409.
            let early = try await http.execute(uri: "/v1/jobs/\(id)/retry", method: .post, headers: Self.auth)
            #expect(early.status == .conflict)
            #expect(try Self.error(early).code == "invalid_state")
            // Cancelled once: 200; twice: 409.
            let cancelled = try await http.execute(uri: "/v1/jobs/\(id)/cancel", method: .post, headers: Self.auth)
            #expect(cancelled.status == .ok)
            #expect(try Self.object(cancelled)["state"] as? String == "cancelled")
            #expect(try await http.execute(uri: "/v1/jobs/\(id)/cancel", method: .post, headers: Self.auth).status == .conflict)

            // A failed job is retried with its history kept.
            let other = try Self.object(
                try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("cr-2")))
            let otherID = try #require(other["id"] as? Int)
            let claimed = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(60)).first?.lease)
            #expect(claimed.jobID == Int64(otherID))
            _ = try await queue.recordFailure(
                claimed, errorClass: "permanent", message: "the recipient is not a wallet", permanent: true, retryAt: Date())
            let failed = try Self.object(try await http.execute(uri: "/v1/jobs/\(otherID)", method: .get, headers: Self.auth))
            #expect(failed["state"] as? String == "failed")
            #expect((failed["errors"] as? [[String: Any]])?.first?["message"] as? String == "the recipient is not a wallet")
            let retried = try await http.execute(uri: "/v1/jobs/\(otherID)/retry", method: .post, headers: Self.auth)
            #expect(retried.status == .ok)
            #expect(try Self.object(retried)["state"] as? String == "available")

            // Unknown and malformed ids; an unknown route.
            #expect(try Self.error(try await http.execute(uri: "/v1/jobs/999999", method: .get, headers: Self.auth)).code == "not_found")
            #expect(try await http.execute(uri: "/v1/jobs/999999/cancel", method: .post, headers: Self.auth).status == .notFound)
            #expect(try Self.error(try await http.execute(uri: "/v1/jobs/abc", method: .get, headers: Self.auth)).field == "id")
            let nowhere = try await http.execute(uri: "/v2/nothing", method: .get)
            #expect(nowhere.status == .notFound)
            #expect(try Self.error(nowhere).code == "not_found")
        }
    }

    @Test func writesAreRateLimitedPerToken() async throws {
        try await withAPI(writeLimit: .init(burst: 3, perSecond: 0.01)) { http, _ in
            for n in 0..<3 {
                let response = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("rl-\(n)"))
                #expect(response.status == .created)
            }
            let limited = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("rl-3"))
            #expect(limited.status == .tooManyRequests)
            #expect(try Self.error(limited).code == "rate_limited")
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter >= 1)
            // Reads are not limited; another token has its own bucket.
            #expect(try await http.execute(uri: "/v1/jobs", method: .get, headers: Self.auth).status == .ok)
            let other = try await http.execute(
                uri: "/v1/jobs", method: .post,
                headers: [.authorization: "Bearer another-token-for-rotation", .contentType: "application/json"], body: Self.jobBody("rl-4"))
            #expect(other.status == .created)
        }
    }
}

extension StatusAPITests {
    /// A retried job's `max_attempts` counts the attempts it may make in all, past the 1000 an enqueue may ask for:
    /// the Job schema said at most 1000, so a client checking answers against `/openapi.json` refused the job.
    @Test func aRetriedJobsAnswerKeepsToTheJobSchema() async throws {
        try await withAPI { http, queue in
            let body = ByteBuffer(
                string: """
                    {"idempotency_key": "retried-1000", "token_program": "token-2022", "decimals": 6, "name": "n", "symbol": "S",
                     "uri": "u", "amount": "1", "recipient": "\(Self.recipient)", "max_attempts": 1000}
                    """)
            let created = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: body)
            let id = try #require(try Self.object(created)["id"] as? Int)
            let lease = try #require(try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(60)).first?.lease)
            _ = try await queue.recordFailure(lease, errorClass: "insufficient_funds", message: "fund it", permanent: true, retryAt: Date())
            #expect(try await http.execute(uri: "/v1/jobs/\(id)/retry", method: .post, headers: Self.auth).status == .ok)

            let job = try Self.object(try await http.execute(uri: "/v1/jobs/\(id)", method: .get, headers: Self.auth))
            let document = try Self.object(try await http.execute(uri: "/openapi.json", method: .get))
            let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any]
            let properties = try #require((schemas?["Job"] as? [String: Any])?["properties"] as? [String: Any])
            let maxAttempts = try #require(job["max_attempts"] as? Int)
            #expect(maxAttempts == 1001)
            if let maximum = (properties["max_attempts"] as? [String: Any])?["maximum"] as? Int {
                #expect(maxAttempts <= maximum, "the Job schema allows at most \(maximum)")
            }
        }
    }
}
