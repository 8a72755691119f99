import ChainTestSupport
import Foundation
import SolanaCore
import Testing

/// The faults in `getSignaturesForAddress`'s paging: a `before` anchor the node does not know (nor its status, in the
/// same request), `before` ignored, a signature listed twice.
extension LocalChainServerTests {
    @Test func historyPagingFaultsForgetTheAnchorIgnoreBeforeAndListTwice() async throws {
        let server = try await fundedServer()
        #expect(try await refused(server, ["before_unknown": ["after": 1]]) != nil, "no count")
        #expect(try await refused(server, ["before_unknown": ["count": -1]]) != nil)
        #expect(try await refused(server, ["before_unknown": ["count": 1, "slot": 2]]) != nil)
        #expect(try await refused(server, ["before_ignored": 1]) != nil)
        #expect(try await refused(server, ["listed_twice": ["not a signature"]]) != nil)

        var sent: [String] = []
        for lamports in 1...3 {
            let transfer = SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000 + UInt64(lamports))
            sent.append(try await send(server, try await sign(server, [transfer], signers: [payer])))
        }
        try await server.control(["advance_slots": 4])
        let newestFirst = Array(sent.reversed())
        #expect(try await signatures(server, recipient, [:]) == newestFirst)

        // The first call with a `before` passes, the second is answered as by a node without the anchor; calls
        // without one are not counted.
        let state = try await server.control(["before_unknown": ["after": 1, "count": 1], "reset_counters": true])
        #expect((state["before_unknown"] as? [String: Any]).map { int($0["after"]) == 1 && int($0["count"]) == 1 } == true)
        #expect(try await signatures(server, recipient, ["before": newestFirst[0]]) == Array(newestFirst[1...]))
        #expect(try await signatures(server, recipient, [:]) == newestFirst)
        #expect(try await signatures(server, recipient, ["before": newestFirst[0]]).isEmpty)
        #expect(try await signatures(server, recipient, ["before": newestFirst[0]]) == Array(newestFirst[1...]), "spent")
        let spent = try await server.controlState()
        #expect((spent["before_unknown"] as? [String: Any]).map { int($0["after"]) == 0 && int($0["count"]) == 0 } == true)
        #expect(counter(spent, "faults", "before_unknown") == 1)

        // Struck in a batch, the anchor stays unknown for the rest of that request: its status is null there, and
        // known again in the next request.
        try await server.control(["before_unknown": ["count": 1]])
        func statusBatch() async throws -> [[String: Any]] {
            let batch: [[String: Any]] = [
                ["jsonrpc": "2.0", "id": 1, "method": "getSignaturesForAddress", "params": [recipient.base58, ["before": newestFirst[0]]]],
                ["jsonrpc": "2.0", "id": 2, "method": "getSignatureStatuses", "params": [[newestFirst[0]], ["searchTransactionHistory": true]]],
            ]
            return try #require(try await server.post(json: batch) as? [[String: Any]])
        }
        func status(_ answer: [String: Any]) -> Any? { ((answer["result"] as? [String: Any])?["value"] as? [Any])?.first }
        let struck = try await statusBatch()
        #expect((struck[0]["result"] as? [Any])?.isEmpty == true)
        #expect(status(struck[1]) is NSNull, "\(struck[1])")
        let known = try await statusBatch()
        #expect((known[0]["result"] as? [Any])?.count == 2)
        #expect(status(known[1]) is [String: Any], "\(known[1])")

        // Ignored `before`: the newest page again, until cleared.
        try await server.control(["before_ignored": true])
        #expect(try await signatures(server, recipient, ["before": newestFirst[1], "limit": 2]) == Array(newestFirst[0..<2]))
        try await server.control(["before_ignored": false])
        #expect(try await signatures(server, recipient, ["before": newestFirst[1], "limit": 2]) == [newestFirst[2]])
        #expect(counter(try await server.controlState(), "faults", "before_ignored") == 1)

        // Listed twice: the copy follows the first and counts towards the limit.
        let listed = try await server.control(["listed_twice": [newestFirst[1]]])
        #expect(listed["listed_twice"] as? [String] == [newestFirst[1]])
        #expect(try await signatures(server, recipient, [:]) == [newestFirst[0], newestFirst[1], newestFirst[1], newestFirst[2]])
        #expect(try await signatures(server, recipient, ["limit": 2]) == [newestFirst[0], newestFirst[1]])
        let cleared = try await server.control(["listed_twice": [String]()])
        #expect(cleared["listed_twice"] as? [String] == [])
        #expect(try await signatures(server, recipient, [:]) == newestFirst)
        #expect(counter(cleared, "faults", "listed_twice") == 1)
    }
}
