import ChainTestSupport
import Foundation
import SolanaCore
import Testing

/// The faults in what the chain answers: rate limits and 5xx, per-method errors, hidden signatures and accounts.
extension LocalChainServerTests {
    @Test func rateLimitAnswers429WithRetryAfterAnd5xxAnswers503() async throws {
        let server = try await LocalChainServer.start()
        let body = try JSONSerialization.data(withJSONObject: ["jsonrpc": "2.0", "id": 1, "method": "getSlot"] as [String: Any])
        try await server.control(["rate_429": 1.0])
        let limited = try await server.http(server.url, body: body)
        #expect(limited.status == 429)
        #expect(limited.header("Retry-After") == "1")
        let state = try await server.controlState()
        #expect(int(((state["counters"] as? [String: Any])?["faults"] as? [String: Any])?["http_429"]) == 1, "the control API is never faulted")

        try await server.control(["rate_429": 0.0, "rate_5xx": 1.0])
        #expect(try await server.http(server.url, body: body).status == 503)
        try await server.control(["rate_5xx": 0.0])
        #expect(try await server.http(server.url, body: body).status == 200)
    }

    @Test func methodErrorsAnswerThatMethodWithTheErrorUntilCleared() async throws {
        let server = try await fundedServer()
        #expect(try await refused(server, ["method_errors": ["getSlot": methodError(-32603, "Internal error", rate: 2)]]) != nil)
        #expect(try await refused(server, ["method_errors": ["getBlock": methodError(-32603, "Internal error")]]) != nil, "not served here")
        #expect(try await refused(server, ["method_errors": ["getSlot": ["rate": 1, "code": -32603]]]) != nil, "no message")
        #expect(
            try await refused(server, ["method_errors": ["getSlot": ["rate": 1, "code": "x", "message": "Internal error"] as [String: Any]]]) != nil)
        #expect(try await refused(server, ["method_errors": [["getSlot"]]]) != nil)

        let transaction = try await sign(
            server, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000)], signers: [payer])
        let signature = try await send(server, transaction)
        #expect(try await status(server, signature) != nil)

        let state = try await server.control(["method_errors": ["getSignatureStatuses": methodError(-32603, "Internal error")]])
        let shown = try #require((state["method_errors"] as? [String: Any])?["getSignatureStatuses"] as? [String: Any])
        #expect(int(shown["code"]) == -32603 && shown["message"] as? String == "Internal error" && shown["rate"] as? Double == 1)
        do {
            _ = try await status(server, signature)
            Issue.record("getSignatureStatuses answered despite its method error")
        } catch let error as LocalChainServer.RPCError {
            #expect(error.code == -32603)
            #expect(error.message == "Internal error")
        }
        // Other methods answer; in a batch only that method's items fail.
        #expect(int(try await server.call("getSlot", [["commitment": "processed"]])) != nil)
        let batch: [[String: Any]] = [
            ["jsonrpc": "2.0", "id": 1, "method": "getSignatureStatuses", "params": [[signature]]],
            ["jsonrpc": "2.0", "id": 2, "method": "getBalance", "params": [recipient.base58, ["commitment": "processed"]] as [Any]],
        ]
        let answers = try #require(try await server.post(json: batch) as? [[String: Any]])
        #expect(int((answers[0]["error"] as? [String: Any])?["code"]) == -32603)
        #expect(int((answers[1]["result"] as? [String: Any])?["value"]) == 1_000_000_000)
        #expect(counter(try await server.controlState(), "faults", "method_error") == 2)

        // A new object replaces the old one: a custom error for getBalance, getSignatureStatuses works again.
        try await server.control(["method_errors": ["getBalance": methodError(-32005, "Node is behind by 42 slots")]])
        #expect(try await status(server, signature) != nil)
        do {
            _ = try await server.call("getBalance", [recipient.base58])
            Issue.record("getBalance answered despite its method error")
        } catch let error as LocalChainServer.RPCError {
            #expect(error.code == -32005)
            #expect(error.message == "Node is behind by 42 slots")
        }

        // {} clears.
        let cleared = try await server.control(["method_errors": [String: Any]()])
        #expect((cleared["method_errors"] as? [String: Any])?.isEmpty == true)
        #expect(int(try await server.callObject("getBalance", [recipient.base58, ["commitment": "processed"]])["value"]) == 1_000_000_000)
        #expect(counter(cleared, "faults", "method_error") == 3)
    }

    @Test func hiddenSignaturesAndAccountsAreNotShownUntilCleared() async throws {
        let server = try await fundedServer()
        #expect(try await refused(server, ["hidden": ["signatures": ["not a signature"]]]) != nil)
        #expect(try await refused(server, ["hidden": ["accounts": recipient.base58]]) != nil)
        #expect(try await refused(server, ["hidden": ["blocks": [String]()]]) != nil)

        let transaction = try await sign(
            server, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000)], signers: [payer])
        let signature = try await send(server, transaction)
        try await server.control(["advance_slots": 4])
        let airdrop = try #require(try await signatures(server, payer.publicKey, [:]).last)

        func shown() async throws -> [String: Bool] {
            let accountInfo = try await server.callObject("getAccountInfo", [recipient.base58, ["encoding": "base64"]])
            let multiple = try #require(
                try await server.callObject("getMultipleAccounts", [[recipient.base58, payer.publicKey.base58]])["value"] as? [Any])
            return [
                "status": try await status(server, signature, history: true) != nil,
                "transaction": !(try await server.call("getTransaction", [signature, ["commitment": "confirmed"]]) is NSNull),
                "recipient history": try await signatures(server, recipient, [:]) == [signature],
                "payer history": try await signatures(server, payer.publicKey, [:]) == [signature, airdrop],
                "account": !(accountInfo["value"] is NSNull),
                "multiple": !(multiple[0] is NSNull),
                "balance": int(try await server.callObject("getBalance", [recipient.base58])["value"]) == 1_000_000_000,
            ]
        }
        let everything = ["status", "transaction", "recipient history", "payer history", "account", "multiple", "balance"]
        #expect(try await shown() == Dictionary(uniqueKeysWithValues: everything.map { ($0, true) }))

        let state = try await server.control(["hidden": ["signatures": [signature], "accounts": [recipient.base58]], "reset_counters": true])
        let hidden = try #require(state["hidden"] as? [String: Any])
        #expect(hidden["signatures"] as? [String] == [signature] && hidden["accounts"] as? [String] == [recipient.base58])
        #expect(try await shown() == Dictionary(uniqueKeysWithValues: everything.map { ($0, false) }))
        #expect(try await signatures(server, payer.publicKey, [:]) == [airdrop], "the payer's other history is shown")
        let multiple = try #require(
            try await server.callObject("getMultipleAccounts", [[recipient.base58, payer.publicKey.base58]])["value"] as? [Any])
        #expect(multiple[1] is [String: Any], "the payer's account is shown")
        #expect(int(try await server.callObject("getBalance", [payer.publicKey.base58])["value"]) ?? 0 > 0)
        #expect(counter(try await server.controlState(), "faults", "hidden") == 9)

        // Sending and preflight still see everything: the hidden transaction is already processed.
        do {
            _ = try await send(server, transaction)
            Issue.record("a hidden, already processed transaction passed the preflight")
        } catch let error as LocalChainServer.RPCError {
            #expect(error.dataObject?["err"] as? String == "AlreadyProcessed")
        }

        // A new value replaces both lists.
        try await server.control(["hidden": ["accounts": [recipient.base58]]])
        let accountsOnly = try await shown()
        #expect(accountsOnly["status"] == true && accountsOnly["transaction"] == true && accountsOnly["recipient history"] == true)
        #expect(accountsOnly["account"] == false && accountsOnly["balance"] == false)

        // {} clears.
        let cleared = try await server.control(["hidden": [String: Any]()])
        #expect((cleared["hidden"] as? [String: Any])?["signatures"] as? [String] == [])
        #expect((cleared["hidden"] as? [String: Any])?["accounts"] as? [String] == [])
        #expect(try await shown() == Dictionary(uniqueKeysWithValues: everything.map { ($0, true) }))
    }
}
