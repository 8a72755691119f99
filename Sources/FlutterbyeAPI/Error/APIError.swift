import Foundation
public import HTTPTypes
public import Hummingbird

/// An error the status API answers with: an HTTP status and the JSON body every error has,
/// `{"error": {"code", "message", "field"?, "fields"?}}`. Messages are for people and never carry secrets.
public struct APIError: Error, HTTPResponseError, Sendable {
    /// One invalid input field and why.
    public struct FieldProblem: Sendable, Hashable, Encodable {
        public var field: String
        public var message: String
    }

    public var status: HTTPResponse.Status
    /// A stable, machine-readable code (`invalid_request`, `unauthorized`, `not_found`, ...).
    public var code: String
    public var message: String
    /// The input field at fault, when there is one (the first, when there are several).
    public var field: String?
    /// Every invalid field, when a request had several.
    public var fields: [FieldProblem]
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil, fields: [FieldProblem] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field ?? fields.first?.field
        self.fields = fields
        self.headers = headers
    }

    struct Body: Encodable {
        struct Content: Encodable {
            var code: String
            var message: String
            var field: String?
            var fields: [FieldProblem]?
        }
        var error: Content
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: .init(code: code, message: message, field: field, fields: fields.isEmpty ? nil : fields))
        let data = try JSONEncoder().encode(body)
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func invalid(_ message: String, field: String? = nil) -> APIError {
        APIError(.badRequest, code: "invalid_request", message, field: field)
    }

    static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "not_found", message)
    }

    /// A request body over `APILimits.maxBodyBytes`.
    static let bodyTooLarge = APIError(
        .contentTooLarge, code: "body_too_large", "the request body is larger than \(APILimits.maxBodyBytes) bytes")
}
