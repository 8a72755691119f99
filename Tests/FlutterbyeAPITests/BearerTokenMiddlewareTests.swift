import HTTPTypes
import Hummingbird
import NIOCore
import Testing

@testable import FlutterbyeAPI

/// Who a request names as its caller, without I/O: the `Authorization` header, or on a WebSocket upgrade without one
/// the token offered in `Sec-WebSocket-Protocol`; each refusal's reason names no token.
struct BearerTokenMiddlewareTests {
    let middleware = BearerTokenMiddleware(tokens: ["first-token-0123456789", "second-token-0123456789"])

    func request(_ fields: HTTPFields) -> Request {
        Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "127.0.0.1", path: "/v1/events", headerFields: fields),
            body: .init(buffer: ByteBuffer()))
    }

    func offer(_ token: String) -> String {
        "flutterbye.v1, flutterbye.bearer.\(WebSocketTokenOffer.base64URLEncoded(Array(token.utf8)))"
    }

    func reason(_ result: Result<APICaller, APIError>) -> String? {
        if case .failure(let error) = result { return error.message }
        return nil
    }

    @Test func theAuthorizationHeaderNamesTheCallerAndWinsOverASubprotocol() throws {
        let caller = try middleware.authenticate(request([.authorization: "Bearer second-token-0123456789"])).get()
        #expect(caller.tokenIndex == 1)
        let both = request([.authorization: "Bearer nope", .upgrade: "websocket", .secWebSocketProtocol: offer("first-token-0123456789")])
        #expect(reason(middleware.authenticate(both)) == "the API token is not valid")
    }

    @Test func anUpgradeMayOfferTheTokenAsASubprotocol() throws {
        let caller = try middleware.authenticate(request([.upgrade: "websocket", .secWebSocketProtocol: offer("first-token-0123456789")])).get()
        #expect(caller.tokenIndex == 0)
        let upperCase = request([.upgrade: "WebSocket", .secWebSocketProtocol: offer("second-token-0123456789")])
        #expect(try middleware.authenticate(upperCase).get().tokenIndex == 1)
    }

    @Test func eachRefusalSaysWhyWithoutTheToken() {
        let cases: [(HTTPFields, String)] = [
            ([:], "this route needs an API token"),
            // Not an upgrade: the subprotocol is not read.
            ([.secWebSocketProtocol: offer("first-token-0123456789")], "this route needs an API token"),
            ([.upgrade: "websocket", .secWebSocketProtocol: offer("wrong-token-0123456789")], "the API token is not valid"),
            (
                [
                    .upgrade: "websocket",
                    .secWebSocketProtocol: "flutterbye.bearer.\(WebSocketTokenOffer.base64URLEncoded(Array("first-token-0123456789".utf8)))",
                ],
                "offer the subprotocol flutterbye.v1"
            ),
            ([.upgrade: "websocket", .secWebSocketProtocol: "flutterbye.v1, flutterbye.bearer.a+b="], "base64url"),
            ([.upgrade: "websocket", .secWebSocketProtocol: "flutterbye.v1"], "this route needs an API token"),
        ]
        for (fields, expected) in cases {
            let message = reason(middleware.authenticate(request(fields)))
            #expect(message?.hasPrefix(expected) == true || message?.contains(expected) == true, "\(fields): \(message ?? "accepted")")
            #expect(message?.contains("first-token") == false && message?.contains("wrong-token") == false)
        }
    }
}
