import HTTPTypes
import OpenAPIRuntime

/// Hides the request's `Accept` header from the generated code, which would refuse a request whose `Accept` does not
/// name JSON (406) or cannot be parsed (400): the API has always answered JSON whatever `Accept` said.
struct AcceptHeaderMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard request.headerFields[.accept] != nil else { return try await next(request, body, metadata) }
        var request = request
        request.headerFields[.accept] = nil
        return try await next(request, body, metadata)
    }
}
