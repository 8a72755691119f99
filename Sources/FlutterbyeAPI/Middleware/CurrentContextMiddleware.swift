import Hummingbird

/// Makes the request's context `APIRequestContext.current` while the rest of the chain serves it, so that the code
/// generated from the OpenAPI document, which is handed only the HTTP request, can reach it (`JobSubmissionMiddleware`
/// tells the connection when the body has been read).
struct CurrentContextMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    init() {}

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await APIRequestContext.$current.withValue(context) { try await next(request, context) }
    }
}
