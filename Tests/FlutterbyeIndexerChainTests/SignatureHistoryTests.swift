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
}
