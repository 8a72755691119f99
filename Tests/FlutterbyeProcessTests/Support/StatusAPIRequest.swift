import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// One request to a running status API with its bearer token, as the process tests send it: the status and the
/// body's text (a JSON body when `body` is given).
enum StatusAPIRequest {
    static func send(
        _ http: HTTPClient, _ method: HTTPMethod, _ url: String, token: String, body: String? = nil
    ) async throws -> (status: Int, text: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }
}
