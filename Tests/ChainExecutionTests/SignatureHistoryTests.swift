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

    /// Sends `count` transfers to the watched address (each a distinct amount, so a distinct signature) and waits
    /// until each is confirmed; returns their signatures in the order sent. A fresh blockhash every ten sends: on a
    /// loaded machine fifty sends outlived one (150 slots of 40 ms) and the late ones never landed.
    func transfers(_ rpc: SolanaRPCClient, count: Int, offset: Int) async throws -> [Signature] {
        var sent: [Signature] = []
        var blockhash = try await rpc.latestBlockhash(commitment: .processed).blockhash
        for index in 0..<count {
            if index % 10 == 9 { blockhash = try await rpc.latestBlockhash(commitment: .processed).blockhash }
            let transfer = SystemProgram.transfer(from: payer.publicKey, to: watched, lamports: 1_000_000 + UInt64(offset + index))
            let message = try LegacyMessage(payer: payer.publicKey, instructions: [transfer], recentBlockhash: blockhash)
            sent.append(try await rpc.sendTransaction(try Transaction(message: .legacy(message), signers: [payer]), skipPreflight: true))
        }
        for signature in sent { try await rpc.waitUntilConfirmed(signature, polls: 800) }
        return sent
    }

    @Test func aHistoryOfSeveralPagesComesBackWholeOldestFirstAndACursorLimitsTheNextRead() async throws {
        let server = try LocalChainServer()
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
}
