public import FlutterbyeStore
import Foundation
import HTTPTypes
public import Hummingbird
import SolanaCore

/// The job routes: enqueue (`POST /v1/jobs`), read one, list a page, cancel and retry. Every answer is a job (or a
/// page of jobs) as `JobResource` shows it.
public struct JobRoutes: Sendable {
    let queue: TokenJobQueue
    let cluster: SolanaCluster
    let database: DatabaseGate

    init(queue: TokenJobQueue, cluster: SolanaCluster, database: DatabaseGate) {
        self.queue = queue
        self.cluster = cluster
        self.database = database
    }

    /// Adds the read routes to `reads` and the write routes to `writes` (which the caller rate-limits).
    public func add(reads: RouterGroup<APIRequestContext>, writes: RouterGroup<APIRequestContext>) {
        writes.post("jobs", use: enqueue)
        writes.post("jobs/{id}/cancel", use: cancel)
        writes.post("jobs/{id}/retry", use: retry)
        reads.get("jobs/{id}", use: job)
        reads.get("jobs", use: list)
    }

    @Sendable func enqueue(_ request: Request, context: APIRequestContext) async throws -> Response {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", "send the job as application/json, not \(type)")
        }
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        context.requestRead()
        let headerKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        let jobRequest = try JobSubmission.request(body: Array(buffer: body), idempotencyHeader: headerKey)
        let queue = self.queue
        let (result, job) = try await database.run {
            let result = try await queue.enqueue(jobRequest)
            return (result, try await queue.job(id: result.jobID))
        }
        var response = try Self.json(JobResource(job, cluster: cluster), status: result.inserted ? .created : .ok)
        response.headers[.location] = "/v1/jobs/\(job.id)"
        return response
    }

    @Sendable func job(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try Self.jobID(context)
        let queue = self.queue
        return try Self.json(JobResource(try await database.run { try await queue.job(id: id) }, cluster: cluster))
    }

    @Sendable func cancel(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try Self.jobID(context)
        let queue = self.queue
        return try Self.json(JobResource(try await database.run { try await queue.cancel(jobID: id) }, cluster: cluster))
    }

    @Sendable func retry(_ request: Request, context: APIRequestContext) async throws -> Response {
        let id = try Self.jobID(context)
        let queue = self.queue
        return try Self.json(JobResource(try await database.run { try await queue.retry(jobID: id) }, cluster: cluster))
    }

    /// `GET /v1/jobs?state=&limit=&cursor=`: newest first; `next_cursor` continues after the page's last job.
    @Sendable func list(_ request: Request, context: APIRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        for (key, _) in query where !["state", "limit", "cursor"].contains(String(key)) {
            let name = String(key)
            throw APIError.invalid("unknown query parameter \(name); the parameters are state, limit and cursor", field: name)
        }
        var state: TokenJobState?
        if let text = query["state"].map(String.init) {
            guard let known = TokenJobState(rawValue: text) else {
                throw APIError.invalid(
                    "state must be one of \(TokenJobState.allCases.map(\.rawValue).joined(separator: ", "))", field: "state")
            }
            state = known
        }
        var limit = 50
        if let text = query["limit"].map(String.init) {
            guard let value = Int(text), (1...500).contains(value) else {
                throw APIError.invalid("limit must be a whole number from 1 to 500", field: "limit")
            }
            limit = value
        }
        var before: Int64?
        if let text = query["cursor"].map(String.init) {
            guard let value = JobCursor(text) else {
                throw APIError.invalid("cursor is not one this API gave (pass next_cursor from the previous page)", field: "cursor")
            }
            before = value.before
        }
        let queue = self.queue
        let filter = state
        let pageSize = limit
        let below = before
        let jobs = try await database.run { try await queue.jobs(state: filter, limit: pageSize, before: below) }
        let next = jobs.count == limit ? jobs.last.map { JobCursor(before: $0.id).text } : nil
        return try Self.json(JobPage(jobs: jobs.map { JobResource($0, cluster: cluster) }, nextCursor: next))
    }

    static func jobID(_ context: APIRequestContext) throws(APIError) -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw APIError.invalid("a job id is a positive whole number", field: "id")
        }
        return id
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The opaque cursor of the job list: the id the next page starts below, as `j` and its decimal digits.
struct JobCursor: Sendable, Hashable {
    var before: Int64

    init(before: Int64) { self.before = before }

    init?(_ text: String) {
        guard text.first == "j", let id = Int64(text.dropFirst()), id > 0 else { return nil }
        before = id
    }

    var text: String { "j\(before)" }
}
