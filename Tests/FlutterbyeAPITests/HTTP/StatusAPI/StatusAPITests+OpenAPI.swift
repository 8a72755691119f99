import ChainTestSupport
import FlutterbyeAPI
import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Prometheus
import SolanaCore
import SolanaRPC
import Testing

/// The live API against its own OpenAPI document.
extension StatusAPITests {
    /// schemathesis (PyPI, in .venv) against the live API and its /openapi.json: no 5xx, every status code, content
    /// type and body as the document says, for every route and a bounded number of generated requests each.
    @Test func schemathesisFindsNoServerErrorAndNoMismatchWithTheOpenAPIDocument() async throws {
        let python = try #require(LiteSVMSession.python, "run Tests/run: it installs schemathesis into .venv")
        let schemathesis = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("schemathesis").path
        try #require(FileManager.default.isExecutableFile(atPath: schemathesis), "run Tests/run: it installs schemathesis into .venv")
        try await withAPI(metrics: PrometheusCollectorRegistry()) { http, queue in
            let port = try #require(http.port)
            // Jobs to read, cancel and retry: one available, one cancelled, one failed.
            for n in 0..<3 {
                _ = try await http.execute(uri: "/v1/jobs", method: .post, headers: Self.jsonHeaders(), body: Self.jobBody("st-\(n)"))
            }
            let listed = try await queue.jobs(state: nil, limit: 3, before: nil)
            _ = try await queue.cancel(jobID: listed[1].id)
            if let claimed = try await queue.claim(workerID: "w1", limit: 1, lease: .seconds(60)).first?.lease {
                _ = try await queue.recordFailure(claimed, errorClass: "permanent", message: "refused", permanent: true, retryAt: Date())
            }
            let document = try await http.execute(uri: "/openapi.json", method: .get)
            #expect(document.status == .ok)
            #expect(try Self.object(document)["openapi"] as? String == "3.1.0")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: schemathesis)
            process.arguments = [
                "run", "http://127.0.0.1:\(port)/openapi.json",
                "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
                "--max-examples", "25", "--seed", "1", "--request-timeout", "10", "-H", "Authorization: Bearer \(Self.token)",
            ]
            var environment = ProcessInfo.processInfo.environment
            environment["NO_COLOR"] = "1"
            environment["SCHEMATHESIS_HOOKS"] = nil
            process.environment = environment
            process.currentDirectoryURL = FileManager.default.temporaryDirectory
            let (status, output) = try await ChildProcess.run(process)
            let text = String(decoding: output, as: UTF8.self)
            #expect(status == 0, "schemathesis found problems:\n\(text.suffix(6000))")
            // Every operation schemathesis selected was tried (/v1/events included: as plain GETs, answered 426 or 4xx).
            let selected = try #require(text.firstMatch(of: /Selected: (\d+)\/(\d+)/), "\(text.suffix(2000))")
            let tested = try #require(text.firstMatch(of: /Tested: (\d+)/), "\(text.suffix(2000))")
            #expect(selected.1 == selected.2 && tested.1 == selected.1 && Int(tested.1) ?? 0 >= 11, "\(text.suffix(2000))")
            #expect(text.contains("GET /v1/events") || Int(tested.1) ?? 0 >= 12, "\(text.suffix(2000))")
        }
    }
}
