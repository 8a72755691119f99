import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#endif

/// What the load test's HTTP clients saw: every answer's status, the POST latencies, and the 503s that came with a
/// Retry-After header (the database was down) apart from those without one.
final class LoadLedger: @unchecked Sendable {
    private let lock = NSLock()
    private var statuses: [String: [Int: Int]] = [:]
    private var postLatencies: [Double] = []
    private var problems: [String] = []
    private(set) var unavailableWithRetryAfter = 0

    func record(_ route: String, _ status: Int, retryAfter: String?, latency: Double? = nil) {
        lock.withLock {
            statuses[route, default: [:]][status, default: 0] += 1
            if let latency, status == 200 || status == 201 { postLatencies.append(latency) }
            if status == 503, retryAfter.flatMap(Int.init) != nil {
                unavailableWithRetryAfter += 1
            } else if status >= 500 {
                problems.append("\(route) answered \(status) (Retry-After: \(retryAfter ?? "none"))")
            }
        }
    }

    func problem(_ text: String) { lock.withLock { problems.append(text) } }

    var report: (statuses: [String: [Int: Int]], problems: [String], postLatencies: [Double]) {
        lock.withLock { (statuses, problems, postLatencies) }
    }

    /// The p-th percentile (0-100) of `values`, by the nearest rank.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// One answer of the status API as the load test reads it.
struct LoadAnswer: Sendable {
    var status: Int
    var retryAfter: String?
    var body: Data
    var seconds: Double
    /// Answers before this one that left the outcome open (503 with Retry-After, 429): a request under way when
    /// the database went away may have taken effect although it was answered 503.
    var earlierAttempts = 0

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
}

/// No whole answer within the client's time.
struct AnswerTimedOut: Error, CustomStringConvertible {
    var description: String { "no whole answer within 20 s" }
}

/// A request to the status API that waits out 429 and 503-with-Retry-After answers (each recorded), as a client
/// that follows the API's advice would.
struct LoadRequester: Sendable {
    let http: HTTPClient
    let base: String
    let token: String?
    let ledger: LoadLedger

    func once(_ method: HTTPMethod, _ path: String, body: String? = nil, route: String) async -> LoadAnswer? {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let start = ContinuousClock.now
        let http = self.http, prepared = request
        do {
            // The whole answer, body included, within 20 s (AsyncHTTPClient's timeout covers the head).
            let (response, bytes) = try await withThrowingTaskGroup(of: (HTTPClientResponse, ByteBuffer)?.self) { group in
                group.addTask {
                    let response = try await http.execute(prepared, timeout: .seconds(20))
                    return (response, try await response.body.collect(upTo: 4 << 20))
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(20))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let answer = first else { throw AnswerTimedOut() }
                return answer
            }
            let elapsed = start.duration(to: .now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let answer = LoadAnswer(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"), body: Data(bytes.readableBytesView),
                seconds: seconds)
            ledger.record(route, answer.status, retryAfter: answer.retryAfter, latency: method == .POST ? seconds : nil)
            return answer
        } catch {
            ledger.problem("\(method) \(path): no answer (\(error))")
            return nil
        }
    }

    /// Sends until the answer is neither 429 nor 503 with Retry-After (at most `attempts` times).
    func following(_ method: HTTPMethod, _ path: String, body: String? = nil, route: String, attempts: Int = 200) async -> LoadAnswer? {
        for attempt in 0..<attempts {
            guard var answer = await once(method, path, body: body, route: route) else { return nil }
            guard answer.status == 429 || (answer.status == 503 && answer.retryAfter != nil) else {
                answer.earlierAttempts = attempt
                return answer
            }
            let wait = min(Double(answer.retryAfter.flatMap(Int.init) ?? 1), 1.0)
            try? await Task.sleep(for: .seconds(wait))
        }
        return nil
    }
}

/// A client that opens a TCP connection, sends half a request's headers and never the rest: how long the server
/// keeps the connection open (nil: still open after `limit`).
enum HalfRequestClient {
    static func secondsUntilClosed(port: Int, limit: Duration) async -> Double? {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let half = Array("GET /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8)
        _ = half.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let start = ContinuousClock.now
        var buffer = [UInt8](repeating: 0, count: 4096)
        while start.duration(to: .now) < limit {
            let read = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if read == 0 || (read < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                let elapsed = start.duration(to: .now)
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}
