import ChainTestSupport
import FlutterbyeIndexer
import Foundation
import Logging
import SolanaCore
import SolanaRPC
import Testing

/// `SignatureHistory` against the local chain: a history of several pages comes back whole and oldest first, and a
/// cursor limits the next read to what came after it. (The indexer's acceptance test reads more than 1000, the
/// node's largest page; here pages are small to keep the history short.)
@Suite(.enabled(if: LocalChainServer.isAvailable, "needs the Python venv with solders: run Tests/run"))
struct SignatureHistoryTests {
    let payer = try! Keypair(seed: [UInt8](repeating: 41, count: 32))
    let watched = try! Keypair(seed: [UInt8](repeating: 42, count: 32)).publicKey

    /// Sends `count` transfers to the watched address (each a distinct amount, so a distinct signature), ten at a time
    /// with a fresh blockhash, and returns their signatures in the order they landed. A transfer of a group that has
    /// not landed once the rest of it has (on a loaded machine a send can outlive its blockhash: 150 slots of 40 ms)
    /// is signed again with a new blockhash and sent alone, so the order stays the order of landing.
    func transfers(_ rpc: SolanaRPCClient, count: Int, offset: Int) async throws -> [Signature] {
        var landed: [Signature] = []
        func send(_ index: Int) async throws -> Signature {
            let blockhash = try await rpc.latestBlockhash(commitment: .processed).blockhash
            let transfer = SystemProgram.transfer(from: payer.publicKey, to: watched, lamports: 1_000_000 + UInt64(offset + index))
            let message = try LegacyMessage(payer: payer.publicKey, instructions: [transfer], recentBlockhash: blockhash)
            return try await rpc.sendTransaction(try Transaction(message: .legacy(message), signers: [payer]), skipPreflight: true)
        }
        func confirmed(_ signatures: [Signature]) async throws -> [Bool] {
            try await rpc.signatureStatuses(signatures).map { status in
                status.flatMap(\.confirmationStatus).map { $0 >= .confirmed } ?? false
            }
        }
        for start in stride(from: 0, to: count, by: 10) {
            let indices = Array(start..<min(start + 10, count))
            let blockhash = try await rpc.latestBlockhash(commitment: .processed).blockhash
            var group: [Signature] = []
            for index in indices {
                let transfer = SystemProgram.transfer(from: payer.publicKey, to: watched, lamports: 1_000_000 + UInt64(offset + index))
                let message = try LegacyMessage(payer: payer.publicKey, instructions: [transfer], recentBlockhash: blockhash)
                group.append(try await rpc.sendTransaction(try Transaction(message: .legacy(message), signers: [payer]), skipPreflight: true))
            }
            // A send lands at once or never (the local chain has no queue), so what is confirmed within 10 s is all.
            var states = try await confirmed(group)
            for _ in 0..<400 where states.contains(false) {
                try await Task.sleep(for: .milliseconds(25))
                states = try await confirmed(group)
            }
            landed += zip(group, states).filter(\.1).map(\.0)
            for (index, state) in zip(indices, states) where !state {
                let again = try await send(index)
                try await rpc.waitUntilConfirmed(again, polls: 800)
                landed.append(again)
            }
        }
        return landed
    }

    @Test func aHistoryOfSeveralPagesComesBackWholeOldestFirstAndACursorLimitsTheNextRead() async throws {
        let server = try await LocalChainServer.start()
        let rpc = try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(10), logger: Logger(label: "SignatureHistoryTests"))
        _ = try await rpc.call("requestAirdrop", [.string(payer.publicKey.base58), .uint(5_000_000_000_000)], as: String.self)
        let first = try await transfers(rpc, count: 150, offset: 0)

        let history = SignatureHistory(rpc: rpc, pageSize: 64)
        let all = try await history.signatures(of: watched, newerThan: nil)
        #expect(all.count == 150, "three pages of 64")
        #expect(all.map(\.signature) == first, "oldest first, in the order they landed")
        #expect(zip(all, all.dropFirst()).allSatisfy { $0.slot <= $1.slot })
        #expect(try await SignatureHistory(rpc: rpc).signatures(of: watched, newerThan: nil).map(\.signature) == first, "one page of 1000")

        // From a cursor in the middle: exactly what came after it.
        let cursor = SignatureCursor(signature: all[99].signature, slot: all[99].slot)
        let paged = try await SignatureHistory(rpc: rpc, pageSize: 16).signatures(of: watched, newerThan: cursor)
        #expect(paged.map(\.signature) == Array(first[100...]))

        // New transactions after the newest one: only they come back.
        let newest = try #require(all.last)
        let more = try await transfers(rpc, count: 5, offset: 2_000)
        let next = try await history.signatures(of: watched, newerThan: SignatureCursor(signature: newest.signature, slot: newest.slot))
        #expect(next.map(\.signature) == more)
        #expect(try await history.signatures(of: watched, newerThan: SignatureCursor(signature: more[4], slot: next[4].slot)).isEmpty)
    }

    /// A client and a funded payer on a chain of the test's own.
    func chain() async throws -> (LocalChainServer, SolanaRPCClient) {
        let server = try await LocalChainServer.start()
        let rpc = try SolanaRPCClient(
            endpoints: [RPCEndpoint(url: server.url.absoluteString)], timeout: .seconds(10), logger: Logger(label: "SignatureHistoryTests"))
        _ = try await rpc.call("requestAirdrop", [.string(payer.publicKey.base58), .uint(5_000_000_000_000)], as: String.self)
        return (server, rpc)
    }

    /// The `getSignaturesForAddress` calls the chain received since its counters were last reset.
    func historyCalls(_ server: LocalChainServer) async throws -> Int {
        let requests = (try await server.controlState()["counters"] as? [String: Any])?["requests"] as? [String: Any]
        return (requests?["getSignaturesForAddress"] as? NSNumber)?.intValue ?? 0
    }

    /// `read`'s outcome, or nil when it has none within `limit` (it is then cancelled).
    func within(
        _ limit: Duration, _ read: @escaping @Sendable () async throws -> [SignatureInfo]
    ) async -> Result<[SignatureInfo], any Error>? {
        await withTaskGroup(of: Result<[SignatureInfo], any Error>?.self) { group in
            group.addTask {
                do { return .success(try await read()) } catch { return .failure(error) }
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// A read that fails with an invalid answer naming the watched address.
    func expectRefusal(_ outcome: Result<[SignatureInfo], any Error>?, _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
        switch outcome {
        case nil: Issue.record("the read did not end within its deadline: \(comment)", sourceLocation: sourceLocation)
        case .success(let read): Issue.record("read \(read.count) signatures: \(comment)", sourceLocation: sourceLocation)
        case .failure(let error as RPCError):
            #expect(error.code == .invalidResponse, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(watched.base58), "\(error.message) names the address", sourceLocation: sourceLocation)
        case .failure(let error): Issue.record("\(error): \(comment)", sourceLocation: sourceLocation)
        }
    }

    /// A node that answers a page's `before` with nothing because it does not know that signature (the client failed
    /// over to a lagging endpoint between pages) has not shown the end of the history while the cursor is not
    /// reached: the read fails naming the address (the poll is tried again, the cursor stays), and read again the
    /// history comes back whole. A read of more than one page costs one call more, to confirm its end (its last page,
    /// short or empty, may be another node's); a read of one page, nothing more.
    @Test func aPageWhoseAnchorTheNodeDoesNotKnowFailsTheReadInsteadOfEndingIt() async throws {
        let (server, rpc) = try await chain()
        let sent = try await transfers(rpc, count: 34, offset: 0)
        let all = try await SignatureHistory(rpc: rpc).signatures(of: watched, newerThan: nil)
        #expect(all.map(\.signature) == sent)
        let history = SignatureHistory(rpc: rpc, pageSize: 8)
        // 28 past the cursor: pages of 8, 8, 8 and 4.
        let cursor = SignatureCursor(signature: all[5].signature, slot: all[5].slot)

        // The third page's anchor is unknown, then known again when the read checks it: the history goes on there.
        try await server.control(["before_unknown": ["after": 1, "count": 1]])
        expectRefusal(await within(.seconds(30)) { try await history.signatures(of: watched, newerThan: cursor) }, "the third page was lost")
        // The second page's anchor is unknown, and still unknown when the read checks it.
        try await server.control(["before_unknown": ["count": 2]])
        expectRefusal(await within(.seconds(30)) { try await history.signatures(of: watched, newerThan: cursor) }, "the second page was lost")

        try await server.control(["before_unknown": ["count": 0], "reset_counters": true])
        #expect(try await history.signatures(of: watched, newerThan: cursor).map(\.signature) == Array(sent[6...]))
        #expect(try await historyCalls(server) == 5, "a short last page after full ones is confirmed as the end")

        // 24 past the cursor: three full pages, then an empty one, whose end is confirmed with one more call.
        let evenCursor = SignatureCursor(signature: all[9].signature, slot: all[9].slot)
        try await server.control(["reset_counters": true])
        #expect(try await history.signatures(of: watched, newerThan: evenCursor).map(\.signature) == Array(sent[10...]))
        #expect(try await historyCalls(server) == 5)
    }

    /// The first read of an address (no cursor yet) is where a lost page would lose the most: everything older than
    /// it, for good. An empty page after a full one there is the end only when the node that answers knows its
    /// anchor and lists nothing older: a lagging node's empty page fails the read (the poll tries again) instead of
    /// ending it with part of the history. A history that ends at a full page still comes back whole, for one request
    /// more.
    @Test func aFirstReadIsNotCutShortByANodeThatDoesNotKnowItsAnchor() async throws {
        let (server, rpc) = try await chain()
        let sent = try await transfers(rpc, count: 16, offset: 0)
        let history = SignatureHistory(rpc: rpc, pageSize: 8)

        // The second page's anchor is unknown, then known again when the read checks it: the history goes on there.
        try await server.control(["before_unknown": ["count": 1]])
        expectRefusal(await within(.seconds(30)) { try await history.signatures(of: watched, newerThan: nil) }, "the second page was lost")
        // Unknown to the node that checks it too.
        try await server.control(["before_unknown": ["count": 2]])
        expectRefusal(await within(.seconds(30)) { try await history.signatures(of: watched, newerThan: nil) }, "the anchor is unknown")

        // Two full pages, then an empty one, whose end is confirmed by one request (two calls in one batch).
        try await server.control(["before_unknown": ["count": 0], "reset_counters": true])
        #expect(try await history.signatures(of: watched, newerThan: nil).map(\.signature) == sent)
        #expect(try await historyCalls(server) == 4)
    }

    /// A history longer than a read holds comes back whole, oldest first: the pages let go are read again, one call
    /// each, when their turn comes, and the read holds its limit (besides its first page and the last two). A page
    /// read again that the node now lists otherwise (here: a lagging node that does not know its anchor) fails the
    /// read, naming the address.
    @Test func aHistoryLongerThanAReadHoldsComesBackWholeInParts() async throws {
        let (server, rpc) = try await chain()
        let sent = try await transfers(rpc, count: 60, offset: 0)
        let history = SignatureHistory(rpc: rpc, pageSize: 8, held: 16)
        try await server.control(["reset_counters": true])
        let read = try await history.read(of: watched, newerThan: nil)
        // Pages of 8 (the last of 4): the second to the sixth are let go, and read again two to a part.
        #expect(read.pagesReadAgain == 5)
        #expect(read.parts == 5)
        #expect(read.peakHeld <= 16 + 3 * 8)
        #expect(try await historyCalls(server) == 9, "8 pages and the end confirmed")
        var whole: [SignatureInfo] = []
        for part in 0..<read.parts { whole += try await history.entries(of: read, part: part) }
        #expect(whole.map(\.signature) == sent)
        #expect(try await historyCalls(server) == 14, "one call for each page let go")

        // The first page read again is not the page it was: the read fails.
        try await server.control(["before_unknown": ["after": 7, "count": 1]])
        expectRefusal(await within(.seconds(30)) { try await history.signatures(of: watched, newerThan: nil) }, "a page read again differs")
        try await server.control(["before_unknown": ["count": 0]])
        #expect(try await history.signatures(of: watched, newerThan: nil).map(\.signature) == sent)
    }

    /// A node that does not page back (it answers the newest page whatever `before` says) fails the read, naming the
    /// address, instead of holding the poll forever while its pages pile up in memory.
    @Test func aNodeThatDoesNotPageBackFailsTheReadInsteadOfReadingForever() async throws {
        let (server, rpc) = try await chain()
        let sent = try await transfers(rpc, count: 20, offset: 0)
        let history = SignatureHistory(rpc: rpc, pageSize: 8)
        let all = try await history.signatures(of: watched, newerThan: nil)
        #expect(all.map(\.signature) == sent)
        try await server.control(["before_ignored": true])
        expectRefusal(await within(.seconds(30)) { try await history.signatures(of: watched, newerThan: nil) }, "without a cursor")
        let cursor = SignatureCursor(signature: all[1].signature, slot: all[1].slot)
        expectRefusal(await within(.seconds(30)) { try await history.signatures(of: watched, newerThan: cursor) }, "with a cursor")
    }

    /// A signature the node lists twice (solana-labs/solana#24417) comes back once, in its place.
    @Test func aSignatureListedTwiceComesBackOnce() async throws {
        let (server, rpc) = try await chain()
        let sent = try await transfers(rpc, count: 20, offset: 0)
        // Newest first in pages of 8: one in each page.
        try await server.control(["listed_twice": [sent[14], sent[11], sent[3]].map(\.base58)])
        for pageSize in [8, 1000] {
            let read = try await SignatureHistory(rpc: rpc, pageSize: pageSize).signatures(of: watched, newerThan: nil)
            #expect(read.map(\.signature) == sent, "pages of \(pageSize)")
        }
    }
}
