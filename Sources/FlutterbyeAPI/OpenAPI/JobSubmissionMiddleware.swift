import FlutterbyeStore
import HTTPTypes
import OpenAPIRuntime

/// Reads `POST /v1/jobs`'s body before the generated code would: JSON only (415), at most `APILimits.maxBodyBytes`
/// (413), then `JobSubmission`, which names every bad field at once with its own message and takes a u64 amount
/// exactly — what the generated Codable cannot do. The generated code then receives the request it accepted as its
/// `JobRequest` (`AcceptedJobRequest`), and sees neither the body nor the `Idempotency-Key` header again.
struct JobSubmissionMiddleware: ServerMiddleware {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard operationID == Operations.CreateJob.id else { return try await next(request, body, metadata) }
        if let type = request.headerFields[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, code: "unsupported_media_type", "send the job as application/json, not \(type)")
        }
        let bytes = try await Self.collect(body, upTo: APILimits.maxBodyBytes)
        let job = try JobSubmission.request(body: bytes, idempotencyHeaders: request.headerFields[values: Self.idempotencyKey])
        var forwarded = request
        forwarded.headerFields[.contentType] = "application/json"
        forwarded.headerFields[Self.idempotencyKey] = nil
        return try await AcceptedJobRequest.$current.withValue(job) {
            try await next(forwarded, HTTPBody("{}"), metadata)
        }
    }

    /// The whole body, or a 413 once it is longer than `limit` bytes.
    static func collect(_ body: HTTPBody?, upTo limit: Int) async throws -> [UInt8] {
        guard let body else { return [] }
        if case .known(let length) = body.length, length > limit { throw APIError.bodyTooLarge }
        var bytes: [UInt8] = []
        for try await chunk in body {
            guard bytes.count + chunk.count <= limit else { throw APIError.bodyTooLarge }
            bytes += chunk
        }
        return bytes
    }
}

/// What the generated code decodes `POST /v1/jobs`'s body into (`typeOverrides`, `JobRequest`): the request
/// `JobSubmissionMiddleware` read from the body, handed over in a task-local value rather than decoded again.
struct AcceptedJobRequest: Codable, Hashable, Sendable {
    @TaskLocal fileprivate static var current: CheckedTokenJobRequest?

    var job: CheckedTokenJobRequest

    init(from decoder: any Decoder) throws {
        guard let request = Self.current else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "POST /v1/jobs is read by JobSubmissionMiddleware, which did not run"))
        }
        self.job = request
    }

    func encode(to encoder: any Encoder) throws {
        try job.request.encode(to: encoder)
    }
}
