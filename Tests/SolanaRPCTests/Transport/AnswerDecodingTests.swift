import Foundation
import Logging
import SolanaCore
import SolanaRPC
import Testing

/// Answers that are JSON-RPC in form but not in substance: each becomes an RPCError, never a trap.
@Suite(.timeLimit(.minutes(1)))
struct AnswerDecodingTests {
    /// The answers come from a local server at once; the timeout is only there so that a client that waits for more
    /// fails the test. It is long because a loaded CI machine (every suite at once on two cores) has delayed such an
    /// answer past 5 s, which read as `timeout` instead of the refusal under test.
    static func client(_ server: HostileRPCServer) throws -> SolanaRPCClient {
        try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: server.url)], timeout: .seconds(20), retry: RPCRetryPolicy(maxAttempts: 1),
            logger: Logger(label: "AnswerDecodingTests"))
    }

    /// A server answering each call of a request with `member` (the text after the id), as one answer or a batch.
    static func server(_ members: @escaping @Sendable (_ index: Int) -> String) async throws -> HostileRPCServer {
        try await HostileRPCServer { request in
            let answers = request.calls.enumerated().map { index, call in #"{"jsonrpc":"2.0","id":\#(call.id),\#(members(index))}"# }
            return .ok(request.isBatch ? "[" + answers.joined(separator: ",") + "]" : answers.first ?? "")
        }
    }

    static func expectInvalid(
        _ members: @escaping @Sendable (Int) -> String, _ body: (SolanaRPCClient) async throws(RPCError) -> Void
    )
        async throws
    {
        let server = try await server(members)
        let client = try client(server)
        do {
            try await body(client)
            Issue.record("\(members(0)) should be refused")
        } catch {
            #expect(error.code == .invalidResponse, "\(members(0).prefix(200)): \(error)")
        }
        try await server.close()
    }

    static let deep = 100_000

    @Test func deepNestingIsRefusedOnEveryPath() async throws {
        let nested = String(repeating: "[", count: Self.deep) + String(repeating: "]", count: Self.deep)
        // Decodable (JSONDecoder), in the result and in an error's data.
        try await Self.expectInvalid({ _ in #""result":\#(nested)"# }) { client throws(RPCError) in _ = try await client.slot() }
        try await Self.expectInvalid({ _ in #""error":{"code":-1,"message":"x","data":\#(nested)}"# }) { client throws(RPCError) in
            _ = try await client.slot()
        }
        // The package's parser: a JSONValue batch, and a batch read in place.
        try await Self.expectInvalid({ _ in #""result":\#(nested)"# }) { client throws(RPCError) in
            _ = try await client.batch([(method: "getSlot", params: [])])
        }
        try await Self.expectInvalid({ _ in #""result":\#(nested)"# }) { client throws(RPCError) in
            _ = try await client.signaturesForAddress(.zero).count
        }
        // Unclosed: a truncated deep document.
        let open = String(repeating: "[", count: Self.deep)
        try await Self.expectInvalid({ _ in #""result":\#(open)"# }) { client throws(RPCError) in _ = try await client.slot() }
    }

    @Test(arguments: ["18446744073709551616", "1e400", "-1", "1.5", "-9223372036854775809", "\"5\"", "true", "{}", "null"])
    func aNumberAUInt64CannotHoldIsRefused(_ number: String) async throws {
        try await Self.expectInvalid({ _ in #""result":\#(number)"# }) { client throws(RPCError) in _ = try await client.slot() }
        try await Self.expectInvalid({ _ in #""result":{"context":{"slot":1},"value":\#(number)}"# }) { client throws(RPCError) in
            _ = try await client.balance(.zero)
        }
    }

    @Test func invalidUTF8IsRefused() async throws {
        let server = try await HostileRPCServer { request in
            let answer =
                Array(#"{"jsonrpc":"2.0","id":\#(request.calls.first?.id ?? 0),"result":"abc"#.utf8) + [0xFF, 0xC0, 0x80] + Array(#""}"#.utf8)
            return .ok(request.isBatch ? [UInt8(ascii: "[")] + answer + [UInt8(ascii: "]")] : answer)
        }
        let client = try Self.client(server)
        do {
            let hash = try await client.genesisHash()
            Issue.record("invalid UTF-8 was read as \(hash.debugDescription)")
        } catch {
            #expect(error.code == .invalidResponse, "\(error)")
        }
        // The package's own parser too (it would read the bytes as U+FFFD).
        do {
            let value = try await client.batch([(method: "getGenesisHash", params: [])])[0].get()
            Issue.record("invalid UTF-8 was read as \(value)")
        } catch {
            #expect(error.code == .invalidResponse, "\(error)")
        }
        try await server.close()
    }

    @Test func anAnswerWithBothResultAndErrorIsRefused() async throws {
        try await Self.expectInvalid({ _ in #""result":5,"error":{"code":-32005,"message":"behind"}"# }) { client throws(RPCError) in
            _ = try await client.slot()
        }
        try await Self.expectInvalid({ _ in #""error":{"code":-32005,"message":"behind"},"result":5"# }) { client throws(RPCError) in
            _ = try await client.signaturesForAddress(.zero)
        }
        try await Self.expectInvalid({ _ in #""result":5,"error":{"code":-32005,"message":"behind"}"# }) { client throws(RPCError) in
            _ = try await client.batch([(method: "getSlot", params: [])])[0].get()
        }
    }

    @Test func anAnswerWithNeitherResultNorErrorIsRefused() async throws {
        try await Self.expectInvalid({ _ in #""nothing":true"# }) { client throws(RPCError) in
            _ = try await client.call("getAccountInfo", [], as: JSONValue?.self)
        }
    }

    @Test(arguments: [
        #""error":{"code":"-32005","message":"behind"}"#, #""error":{"code":1e400,"message":"behind"}"#,
        #""error":{"code":-32005,"message":5}"#, #""error":{"code":18446744073709551616,"message":"x"}"#, #""error":"broken""#,
        #""error":[1,2]"#,
    ])
    func anErrorOfTheWrongTypesIsRefused(_ member: String) async throws {
        try await Self.expectInvalid({ _ in member }) { client throws(RPCError) in _ = try await client.slot() }
        try await Self.expectInvalid({ _ in member }) { client throws(RPCError) in
            _ = try await client.batch([(method: "getSlot", params: [])])[0].get()
        }
        try await Self.expectInvalid({ _ in member }) { client throws(RPCError) in _ = try await client.signaturesForAddress(.zero) }
    }

    /// A blockhash's last valid block height is its block's height plus 150, and no block's height is above its slot:
    /// an answer past the context slot plus 150 is not a cluster's. Taken, it made every transaction in flight look
    /// expired at once and gave the transactions signed with it a life that never ends (the sender follows them until
    /// that height). One past the bound is refused; the bound itself is the answer of a cluster that skipped no slot.
    @Test func aLastValidBlockHeightPastItsContextSlotIsRefused() async throws {
        let blockhash = Base58.encode([UInt8](repeating: 9, count: 32))
        for (lastValid, slot) in [(UInt64(1_151), UInt64(1_000)), (1 << 62, 1_000), (.max, 1_000)] {
            try await Self.expectInvalid({ _ in
                #""result":{"context":{"slot":\#(slot)},"value":{"blockhash":"\#(blockhash)","lastValidBlockHeight":\#(lastValid)}}"#
            }) { client throws(RPCError) in _ = try await client.latestBlockhash() }
        }
        let server = try await Self.server { _ in
            #""result":{"context":{"slot":1000},"value":{"blockhash":"\#(blockhash)","lastValidBlockHeight":1150}}"#
        }
        let latest = try await Self.client(server).latestBlockhash()
        #expect(latest.lastValidBlockHeight == 1_150 && latest.contextSlot == 1_000)
        try await server.close()
    }

    /// A node whose answers are consistent in themselves but whose slot leaps ahead of its earlier answers faster than
    /// a slot a millisecond (past a margin of 1,000) is no cluster either: its blockhash's height would keep what the
    /// sender signs with it alive for ever. The leap is refused; answers after it, and answers that go back (a lagging
    /// endpoint after a failover), are taken.
    @Test func aContextSlotLeapingAheadOfTheEarlierAnswersIsRefused() async throws {
        let blockhash = Base58.encode([UInt8](repeating: 9, count: 32))
        let slots: [UInt64] = [1_000, 1 << 40, 1_004, 990, 1_900]
        let server = try await HostileRPCServer { request in
            let index = min((request.calls.first?.id ?? 1) - 1, slots.count - 1)
            let slot = slots[max(0, index)]
            let value = #"{"blockhash":"\#(blockhash)","lastValidBlockHeight":\#(slot + 150)}"#
            return .ok(#"{"jsonrpc":"2.0","id":\#(request.calls.first?.id ?? 0),"result":{"context":{"slot":\#(slot)},"value":\#(value)}}"#)
        }
        let client = try Self.client(server)
        #expect(try await client.latestBlockhash().contextSlot == 1_000)
        await #expect(throws: RPCError.self) { try await client.latestBlockhash() }
        #expect(try await client.latestBlockhash().contextSlot == 1_004)
        #expect(try await client.latestBlockhash().contextSlot == 990)
        #expect(try await client.latestBlockhash().contextSlot == 1_900, "within the margin of the newest taken")
        try await server.close()
    }

    /// The same for `getSlot`, whose answer the indexer takes as the finalized slot: one answer leaping ahead met the
    /// drop policy's span of finalized slots for every transaction looked for after it, and moved the reconciliation
    /// and the status figures to a slot no cluster has reached. It goes through the same check as the blockhash's
    /// context slot, against the newest slot either answered.
    @Test func aSlotLeapingAheadOfTheEarlierAnswersIsRefused() async throws {
        let blockhash = Base58.encode([UInt8](repeating: 9, count: 32))
        let slots: [UInt64] = [1_000, 1 << 40, 1_004, 990, 1_900, 1 << 40]
        let server = try await HostileRPCServer { request in
            let id = request.calls.first?.id ?? 1
            let slot = slots[max(0, min(id - 1, slots.count - 1))]
            if request.calls.first?.method == "getLatestBlockhash" {
                let value = #"{"blockhash":"\#(blockhash)","lastValidBlockHeight":\#(slot + 150)}"#
                return .ok(#"{"jsonrpc":"2.0","id":\#(id),"result":{"context":{"slot":\#(slot)},"value":\#(value)}}"#)
            }
            return .ok(#"{"jsonrpc":"2.0","id":\#(id),"result":\#(slot)}"#)
        }
        let client = try Self.client(server)
        #expect(try await client.slot(commitment: .finalized) == 1_000)
        await #expect(throws: RPCError.self) { try await client.slot(commitment: .finalized) }
        #expect(try await client.slot(commitment: .confirmed) == 1_004)
        #expect(try await client.slot(commitment: .finalized) == 990)
        #expect(try await client.latestBlockhash().contextSlot == 1_900, "one newest slot for both methods")
        await #expect(throws: RPCError.self) { try await client.slot() }
        try await server.close()
    }

    @Test func duplicatedIDsInABatchAreRefused() async throws {
        // Both answers carry the first call's id: neither can be trusted to be the answer to it.
        let server = try await HostileRPCServer { request in
            let id = request.calls.first?.id ?? 0
            return .ok(#"[{"jsonrpc":"2.0","id":\#(id),"result":[]},{"jsonrpc":"2.0","id":\#(id),"result":[]}]"#)
        }
        let client = try Self.client(server)
        let answers = try await client.batch([(method: "getSlot", params: []), (method: "getSlot", params: [])])
        #expect(answers.count == 2)
        for answer in answers { #expect(throws: RPCError.self) { try answer.get() } }
        let typed = try await client.batch([(method: "getSlot", params: []), (method: "getSlot", params: [])], as: [UInt64].self)
        for answer in typed { #expect(throws: RPCError.self) { try answer.get() } }
        let queries = try await client.signaturesForAddresses([(address: .zero, until: nil), (address: .zero, until: nil)])
        for answer in queries { #expect(throws: RPCError.self) { try answer.get() } }
        try await server.close()
    }
}
