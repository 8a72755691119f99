import ChainTestSupport
import Foundation
import SolanaCore
import Testing

/// The local JSON-RPC chain (`Tests/LocalChain/local_chain.py`) answers as a Solana node does: transactions built by
/// SolanaCore go through sendTransaction, move through the commitment levels, and show up in the history methods;
/// the faults it injects on request behave as documented.
@Suite(.serialized, .enabled(if: LocalChainServer.isAvailable, "needs the Python venv with solders: run Tests/run"))
struct LocalChainServerTests {
    let payer = try! Keypair(seed: [UInt8](repeating: 21, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 22, count: 32)).publicKey

    // MARK: Helpers

    /// A server with the payer funded (the airdrop is a recorded transaction, like on a real cluster).
    func fundedServer(slotMs: Int = 50) async throws -> LocalChainServer {
        let server = try await LocalChainServer.start(slotMs: slotMs, confirmDepth: 1, finalizeDepth: 4)
        _ = try await server.call("requestAirdrop", [payer.publicKey.base58, 50_000_000_000])
        return server
    }

    func latestBlockhash(_ server: LocalChainServer, commitment: String = "finalized") async throws -> (Blockhash, Int) {
        let value = try #require(try await server.callObject("getLatestBlockhash", [["commitment": commitment]])["value"] as? [String: Any])
        return (try Blockhash(base58: try #require(value["blockhash"] as? String)), try #require(int(value["lastValidBlockHeight"])))
    }

    func sign(
        _ server: LocalChainServer, _ instructions: [Instruction], signers: [Keypair], commitment: String = "finalized"
    ) async throws
        -> Transaction
    {
        let (blockhash, _) = try await latestBlockhash(server, commitment: commitment)
        let message = try LegacyMessage(payer: payer.publicKey, instructions: instructions, recentBlockhash: blockhash)
        return try Transaction(message: .legacy(message), signers: signers)
    }

    func send(_ server: LocalChainServer, _ transaction: Transaction, _ config: [String: Any] = [:]) async throws -> String {
        var config = config
        config["encoding"] = "base64"
        let result = try await server.call("sendTransaction", [Data(transaction.serialized()).base64EncodedString(), config])
        return try #require(result as? String)
    }

    func status(_ server: LocalChainServer, _ signature: String, history: Bool = false) async throws -> [String: Any]? {
        let value = try #require(
            try await server.callObject("getSignatureStatuses", [[signature], ["searchTransactionHistory": history]])["value"] as? [Any])
        return value.first as? [String: Any]
    }

    /// Polls `condition` every 20 ms until it holds or `seconds` pass.
    func eventually(_ seconds: Double = 5, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        return try await condition()
    }

    func int(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue }

    func signatures(_ server: LocalChainServer, _ address: PublicKey, _ config: [String: Any]) async throws -> [String] {
        let entries = try #require(try await server.call("getSignaturesForAddress", [address.base58, config]) as? [[String: Any]])
        return entries.compactMap { $0["signature"] as? String }
    }

    /// One sendTransaction as raw HTTP, answered whatever its status (the send_error fault may answer HTTP 503).
    func sendRaw(
        _ server: LocalChainServer, _ transaction: Transaction, _ config: [String: Any] = [:]
    ) async throws
        -> LocalChainServer.HTTPAnswer
    {
        var config = config
        config["encoding"] = "base64"
        let request: [String: Any] = [
            "jsonrpc": "2.0", "id": 1, "method": "sendTransaction",
            "params": [Data(transaction.serialized()).base64EncodedString(), config] as [Any],
        ]
        return try await server.http(server.url, body: try JSONSerialization.data(withJSONObject: request))
    }

    /// The error text of a control update answered HTTP 400, or nil when it was not refused.
    func refused(_ server: LocalChainServer, _ update: [String: Any]) async throws -> String? {
        let answer = try await server.http(server.controlURL, body: try JSONSerialization.data(withJSONObject: update))
        guard answer.status == 400 else { return nil }
        return (try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])?["error"] as? String
    }

    /// A method_errors entry.
    func methodError(_ code: Int, _ message: String, rate: Double = 1) -> [String: Any] {
        ["rate": rate, "code": code, "message": message]
    }

    func counter(_ state: [String: Any], _ group: String, _ name: String) -> Int? {
        int(((state["counters"] as? [String: Any])?[group] as? [String: Any])?[name])
    }
}
