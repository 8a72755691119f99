import HTTPTypes
public import Hummingbird

/// Tells the connection that a WebSocket upgrade request (which has no body) has been read whole, so that its
/// request-read timeout does not run while the upgrade's route decides. The upgrade handler reads such a request
/// before `RequestEndHandler`, which does this for every other request, is in the pipeline.
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
