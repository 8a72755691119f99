import HTTPTypes
import Hummingbird
import HummingbirdCore
import OpenAPIRuntime

/// Checks the job routes' parameters before the generated code decodes them, with the API's own messages
/// (`JobListQuery`), then hands the generated code their plainest form, which it always decodes to the same values:
/// the job id in `/v1/jobs/{id}` (and `/cancel`, `/retry`), and the query of `GET /v1/jobs`, where an unknown
/// parameter — which the generated code would ignore — is refused.
struct JobParametersMiddleware: ServerMiddleware {
    static let jobOperations: Set<String> = [Operations.GetJob.id, Operations.CancelJob.id, Operations.RetryJob.id]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        if Self.jobOperations.contains(operationID) {
            var metadata = metadata
            metadata.pathParameters["id"] = Substring(String(try JobListQuery.jobID(metadata.pathParameters["id"])))
            return try await next(request, body, metadata)
        }
        if operationID == Operations.ListJobs.id {
            let uri = URI(request.path ?? "/")
            let query = try JobListQuery(parameters: uri.queryParameters)
            var request = request
            request.path = "\(uri.path)?\(query.canonical)"
            return try await next(request, body, metadata)
        }
        return try await next(request, body, metadata)
    }
}
