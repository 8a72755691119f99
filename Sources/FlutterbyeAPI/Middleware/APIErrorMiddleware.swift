import FlutterbyeStore
import HTTPTypes
public import Hummingbird
import Logging
import OpenAPIRuntime

/// Turns whatever a route throws into an `APIError`, so that every error the API sends is the same JSON shape:
/// store errors by their code, Hummingbird's own (unknown route, body too large) by their status, what a handler
/// or middleware of the generated code threw as that error (the generated code wraps it in a `ServerError`), and
/// anything else into a 500 that names no internals (the error itself is logged).
public struct APIErrorMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            throw Self.apiError(error, request: request, logger: context.logger)
        }
    }

    static func apiError(_ error: any Error, request: Request, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as StoreError:
            return storeError(error, logger: logger)
        case let error as ServerError:
            return apiError(error.underlyingError, request: request, logger: logger)
        case let error as any HTTPResponseError:
            let status = error.status
            let code: String =
                switch status.code {
                case 404: "not_found"
                case 405: "method_not_allowed"
                case 413: "body_too_large"
                case 400..<500: "invalid_request"
                default: "internal"
                }
            let message: String =
                switch status.code {
                case 404: "there is no route \(request.method) \(request.uri.path)"
                case 413: "the request body is larger than \(APILimits.maxBodyBytes) bytes"
                default: status.reasonPhrase
                }
            if status.code >= 500 { logger.error("request failed", metadata: ["error": "\(error)"]) }
            return APIError(status, code: code, message)
        default:
            logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return APIError(.internalServerError, code: "internal", "the request failed inside the service; the error is in its log")
        }
    }

    static func storeError(_ error: StoreError, logger: Logger) -> APIError {
        switch error.code {
        case .invalidJob:
            return APIError(.badRequest, code: "invalid_job", error.message, field: error.field)
        case .idempotencyConflict:
            return APIError(.conflict, code: "idempotency_conflict", error.message, field: "idempotency_key")
        case .jobNotFound:
            return APIError(.notFound, code: "not_found", error.message)
        case .invalidJobState:
            return APIError(.conflict, code: "invalid_state", error.message)
        case .databaseUnavailable:
            logger.error("database unavailable", metadata: ["error": "\(error)"])
            return APIError(
                .serviceUnavailable, code: "unavailable", "the database cannot be reached; try again later", headers: [.retryAfter: "2"])
        default:
            logger.error("store error", metadata: ["error": "\(error)"])
            return APIError(.internalServerError, code: "internal", "the request failed inside the service; the error is in its log")
        }
    }
}
