import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import SolanaCore
import Testing

/// A job whose token-creation transaction cannot fit in Solana's 1232 bytes is refused at enqueue, by Swift and by
/// `enqueue_token_job` alike, naming the fields that are too long together and by how much.
extension TokenJobQueueTests {
    /// Every field at its own limit: a Token-2022 job with the longest name, symbol, URI and memo.
    static func largestRequest(_ key: String, program: String = "token-2022") -> TokenJobRequest {
        var request = Self.request(key)
        request.tokenProgram = program
        request.name = String(repeating: "n", count: 32)
        request.symbol = String(repeating: "s", count: 10)
        request.uri = "https://flutterbye.example/" + String(repeating: "u", count: 200 - 27)
        request.memo = String(repeating: "m", count: 500)
        return request
    }

    @Test(arguments: ["token-2022", "token"])
    func aJobWhoseTransactionCanNeverBeSentIsRefusedNamingTheFields(program: String) async throws {
        try await withQueue { queue, client in
            let request = Self.largestRequest("too-large-\(program)", program: program)
            let expected = try #require(try await Self.functionRefusal(request, on: client), "enqueue_token_job accepted a job that cannot be sent")
            #expect(expected.hasPrefix("invalid name, symbol, uri, memo: "), "\(expected)")
            #expect(expected.contains("more than Solana's limit of 1232"), "\(expected)")
            do {
                _ = try await client.query(
                    "SELECT * FROM flutterbye.enqueue_token_job(\(request.idempotencyKey), \(request.tokenProgram), 6, \(request.name), \(request.symbol), \(request.uri), '1', \(request.recipient), \(request.memo))",
                    logger: TestDatabase.logger
                ).collect()
            } catch let error as PSQLError {
                #expect(error.serverInfo?[.sqlState] == "22023")
            }
            do {
                _ = try await queue.enqueue(request)
                Issue.record("enqueue accepted a job whose transaction cannot be sent")
            } catch let error as StoreError {
                #expect(error.code == .invalidJob, "\(error)")
                #expect(error.field == "name, symbol, uri, memo", "\(error)")
                #expect(error.message == "\(expected); nothing was enqueued")
            }
            #expect(try await TestDatabase.count("SELECT count(*)::int8 FROM flutterbye.token_jobs", on: client) == 0)
        }
    }

    /// Around the limit, Swift and the function refuse the same jobs with the same message: a transaction of exactly
    /// 1232 bytes is accepted, one byte more is refused (for each program, with multi-byte text), and a memo alone can be
    /// too long.
    @Test func atTheLimitEnqueueAndTheFunctionAgree() async throws {
        try await withQueue { queue, client in
            var cases: [(request: TokenJobRequest, fits: Bool)] = []
            for program in ["token", "token-2022"] {
                // The memo that makes the transaction exactly 1232 bytes with the base request's metadata (a memo of 128
                // bytes or more has a two-byte length, so some sizes are skipped: the uri gives a byte where needed).
                var request = Self.request("limit-\(program)")
                request.tokenProgram = program
                request.name = "Caf\u{E9} \u{1D11E}"
                func size(_ request: TokenJobRequest) throws -> Int {
                    try TokenCreationSize.largest(
                        program: program == "token" ? .token : .token2022, name: request.name, symbol: request.symbol, uri: request.uri,
                        memo: request.memo)
                }
                var memo = 1
                while true {
                    request.memo = String(repeating: "m", count: memo)
                    if try size(request) >= TokenCreationSize.limit { break }
                    memo += 1
                }
                if try size(request) > TokenCreationSize.limit {
                    request.memo = String(repeating: "m", count: memo - 1)
                    request.uri += "x"
                }
                #expect(try size(request) == TokenCreationSize.limit)
                cases.append((request, true))
                var over = request
                over.idempotencyKey += "-over"
                over.memo = (over.memo ?? "") + "\u{E9}"
                #expect(try size(over) == TokenCreationSize.limit + 2)
                cases.append((over, false))
                var memoAlone = request
                memoAlone.idempotencyKey += "-memo"
                (memoAlone.name, memoAlone.symbol, memoAlone.uri) = ("", "", "")
                memoAlone.memo = String(repeating: "m", count: 500)
                cases.append((memoAlone, false))
            }
            for (request, fits) in cases {
                try await Self.expectEnqueueAgreesWithTheFunction(request, accepted: fits, queue: queue, client: client)
            }
            let memoAlone = try await Self.functionRefusal(cases[2].request, on: client)
            #expect(memoAlone?.hasPrefix("invalid memo: it makes the job's transaction ") == true, "\(memoAlone ?? "accepted")")
        }
    }
}
