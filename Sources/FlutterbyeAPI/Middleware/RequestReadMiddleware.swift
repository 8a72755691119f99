import HTTPTypes
public import Hummingbird

/// Tells the connection that a request without a body has been read whole as soon as its head is in, so that its
/// request-read timeout does not run while a route works on it (a route that reads a body says so once it has:
/// `APIRequestContext.requestRead()`).
public struct RequestReadMiddleware: RouterMiddleware {
    public typealias Context = APIRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let length = request.headers[.contentLength]
        if (length == nil || length == "0") && request.headers[.transferEncoding] == nil {
            context.requestRead()
        }
        return try await next(request, context)
    }
}
