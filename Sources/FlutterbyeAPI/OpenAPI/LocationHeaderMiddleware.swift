import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Writes `Location` as the path it is: the generated code writes a string header as a URI component, percent-encoding
/// every `/` (`%2Fv1%2Fjobs%2F42`), where the API has always sent `/v1/jobs/42`.
struct LocationHeaderMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var (response, body) = try await next(request, body, metadata)
        if let location = response.headerFields[.location], let path = location.removingPercentEncoding {
            response.headerFields[.location] = path
        }
        return (response, body)
    }
}
