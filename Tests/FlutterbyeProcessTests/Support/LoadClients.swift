import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SolanaCore
import Synchronization

/// What the load test's HTTP clients saw: every answer's status, the POST latencies, and the 503s that came with a
/// Retry-After header (the database was down) apart from those without one.
final class LoadLedger: Sendable {
    private struct State {
        var statuses: [String: [Int: Int]] = [:]
        var postLatencies: [Double] = []
        var problems: [String] = []
        var unavailableWithRetryAfter = 0
    }

    private let state = Mutex(State())

    var unavailableWithRetryAfter: Int { state.withLock { $0.unavailableWithRetryAfter } }

    func record(_ route: String, _ status: Int, retryAfter: String?, latency: Double? = nil) {
        state.withLock { state in
            state.statuses[route, default: [:]][status, default: 0] += 1
            if let latency, status == 200 || status == 201 { state.postLatencies.append(latency) }
            if status == 503, retryAfter.flatMap(Int.init) != nil {
                state.unavailableWithRetryAfter += 1
            } else if status >= 500 {
                state.problems.append("\(route) answered \(status) (Retry-After: \(retryAfter ?? "none"))")
            }
        }
    }

    func problem(_ text: String) { state.withLock { $0.problems.append(text) } }

    var report: (statuses: [String: [Int: Int]], problems: [String], postLatencies: [Double]) {
        state.withLock { ($0.statuses, $0.problems, $0.postLatencies) }
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
        let http = self.http
        let prepared = request
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
            let seconds = elapsed.totalSeconds
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
