import ChainTestSupport
import Foundation
import SolanaCore
import Testing

/// What happens to a sent transaction: preflight, expiry, and the send faults (dropped, stalled, error answers, late landing).
extension LocalChainServerTests {
    @Test func preflightFailureReturnsSimulationErrorAndSkippedPreflightLandsFailed() async throws {
        let server = try await fundedServer()
        let overdraft = try await sign(
            server, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000_000)], signers: [payer])
        do {
            _ = try await send(server, overdraft)
            Issue.record("an overdraft passed the preflight")
        } catch let error as LocalChainServer.RPCError {
            #expect(error.code == -32002)
            #expect(error.message == "Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1")
            let data = try #require(error.dataObject)
            #expect((data["logs"] as? [String])?.contains { $0.contains("insufficient lamports") } == true)
            let instructionError = try #require((data["err"] as? [String: Any])?["InstructionError"] as? [Any])
            #expect(int(instructionError.first) == 0)
            #expect(int((instructionError.last as? [String: Any])?["Custom"]) == 1)
            #expect(int(data["unitsConsumed"]) ?? 0 > 0)
        }

        // Without preflight it lands as a failed transaction: fee charged, err recorded, in the address history.
        let signature = try await send(server, overdraft, ["skipPreflight": true])
        try await server.control(["advance_slots": 1])
        let landed = try #require(try await status(server, signature))
        #expect(landed["err"] is [String: Any])
        #expect((landed["status"] as? [String: Any])?["Err"] != nil)
        let result = try await server.callObject("getTransaction", [signature, ["commitment": "confirmed"]])
        let meta = try #require(result["meta"] as? [String: Any])
        #expect(meta["err"] is [String: Any])
        let fee = try #require(int(meta["fee"]))
        #expect(fee == 5_000)
        #expect(int((meta["postBalances"] as? [Any])?.first) == int((meta["preBalances"] as? [Any])?.first).map { $0 - fee })
        let history = try #require(
            try await server.call("getSignaturesForAddress", [payer.publicKey.base58, ["commitment": "confirmed", "limit": 1]]) as? [[String: Any]])
        #expect(history.first?["signature"] as? String == signature)
        #expect(history.first?["err"] is [String: Any])
    }

    @Test func expiredBlockhashIsRefused() async throws {
        let server = try await fundedServer()
        let (blockhash, lastValid) = try await latestBlockhash(server, commitment: "processed")
        let valid = try await server.callObject("isBlockhashValid", [blockhash.base58, ["commitment": "processed"]])
        #expect(valid["value"] as? Bool == true)

        try await server.control(["advance_slots": 151])
        #expect(int(try await server.call("getBlockHeight", [["commitment": "processed"]]))! > lastValid)
        let expired = try await server.callObject("isBlockhashValid", [blockhash.base58, ["commitment": "processed"]])
        #expect(expired["value"] as? Bool == false)
        let message = try LegacyMessage(
            payer: payer.publicKey, instructions: [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000)],
            recentBlockhash: blockhash)
        let transaction = try Transaction(message: .legacy(message), signers: [payer])
        do {
            _ = try await send(server, transaction, ["preflightCommitment": "processed"])
            Issue.record("a transaction with an expired blockhash was accepted")
        } catch let error as LocalChainServer.RPCError {
            #expect(error.code == -32002)
            #expect(error.message.contains("Blockhash not found"))
            #expect(error.dataObject?["err"] as? String == "BlockhashNotFound")
        }
    }

    @Test func droppedTransactionNeverLands() async throws {
        let server = try await fundedServer()
        try await server.control(["drop_rate": 1.0])
        let transaction = try await sign(
            server, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000)], signers: [payer])
        let signature = try await send(server, transaction)
        #expect(signature == transaction.id.base58, "a dropped transaction still gets its signature back")
        try await server.control(["advance_slots": 5])
        #expect(try await status(server, signature, history: true) == nil)
        #expect(try await server.call("getTransaction", [signature, ["commitment": "confirmed"]]) is NSNull)
        let balance = try await server.callObject("getBalance", [recipient.base58, ["commitment": "processed"]])
        #expect(int(balance["value"]) == 0)
        let counters = try #require(try await server.controlState()["counters"] as? [String: Any])
        #expect(int((counters["transactions"] as? [String: Any])?["dropped"]) == 1)
        #expect(int((counters["faults"] as? [String: Any])?["dropped"]) == 1)
    }

    @Test func aStallQueuesSendsAndForwardsOnlyTheUnexpiredOnes() async throws {
        let server = try await fundedServer()
        try await server.control(["stalled": true])
        let transfer = SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000)
        let early = try await sign(server, [transfer], signers: [payer], commitment: "processed")
        #expect(try await send(server, early, ["skipPreflight": true]) == early.id.base58)
        _ = try await send(server, early, ["skipPreflight": true])  // a rebroadcast is queued once
        let stalledHeight = int(try await server.call("getBlockHeight", [["commitment": "processed"]]))
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(int(try await server.call("getBlockHeight", [["commitment": "processed"]])) == stalledHeight, "no slots while stalled")
        #expect(try await status(server, early.id.base58, history: true) == nil, "queued, not executed")
        #expect(int(try await server.controlState()["held"]) == 1)

        // The cluster moves past the early blockhash's lastValidBlockHeight; a transaction signed after that is queued too.
        try await server.control(["advance_slots": 160])
        let late = try await sign(server, [ComputeBudgetProgram.setComputeUnitLimit(1000), transfer], signers: [payer], commitment: "processed")
        _ = try await send(server, late, ["skipPreflight": true])
        let state = try await server.control(["stalled": false])
        #expect(int(state["held"]) == 0)
        #expect(try await status(server, early.id.base58, history: true) == nil, "expired while queued: never lands")
        #expect(try await status(server, late.id.base58, history: true)?["err"] is NSNull, "still valid: lands when the stall ends")
        let transactions = try #require((state["counters"] as? [String: Any])?["transactions"] as? [String: Any])
        #expect(int(transactions["held"]) == 2)
        #expect(int(transactions["not_landed"]) == 1)
        let balance = try await server.callObject("getBalance", [recipient.base58, ["commitment": "processed"]])
        #expect(int(balance["value"]) == 1_000_000_000, "one transfer, not two")
    }

    @Test func aSendErrorAnswersAnErrorButTheTransactionLands() async throws {
        let server = try await fundedServer()
        #expect(try await refused(server, ["send_error_rate": 1.5]) != nil)
        #expect(try await refused(server, ["send_error_rate": true]) != nil)
        #expect(try await server.control(["send_error_rate": 1])["send_error_rate"] as? Double == 1)

        // A single request is answered HTTP 503 or the JSON-RPC internal error, at random; never the signature.
        var forms: Set<String> = []
        var sent: [String] = []
        for index in 0..<6 {
            let transaction = try await sign(
                server, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000 + UInt64(index))], signers: [payer])
            sent.append(transaction.id.base58)
            let answer = try await sendRaw(server, transaction)
            if answer.status == 503 {
                #expect(answer.header("Content-Type")?.hasPrefix("text/plain") == true)
                forms.insert("HTTP 503")
            } else {
                #expect(answer.status == 200)
                let object = try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
                #expect(object["result"] == nil, "no signature in the answer")
                let error = try #require(object["error"] as? [String: Any])
                #expect(int(error["code"]) == -32603)
                #expect(error["message"] as? String == "Internal error")
                forms.insert("JSON-RPC error")
            }
        }
        #expect(forms == ["HTTP 503", "JSON-RPC error"], "both answers occur (seeded generator)")

        // Inside a batch only the send's item is an error; the others are answered.
        let batched = try await sign(
            server, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_006)], signers: [payer])
        sent.append(batched.id.base58)
        let batch: [[String: Any]] = [
            [
                "jsonrpc": "2.0", "id": 1, "method": "sendTransaction",
                "params": [Data(batched.serialized()).base64EncodedString(), ["encoding": "base64"]] as [Any],
            ],
            ["jsonrpc": "2.0", "id": 2, "method": "getHealth"],
        ]
        let answers = try #require(try await server.post(json: batch) as? [[String: Any]])
        #expect(answers.map { int($0["id"]) } == [1, 2])
        #expect(int((answers[0]["error"] as? [String: Any])?["code"]) == -32603)
        #expect(answers[0]["result"] == nil)
        #expect(answers[1]["result"] as? String == "ok")

        // Yet every one of them landed, exactly once.
        for signature in sent {
            #expect(try await status(server, signature, history: true)?["err"] is NSNull, "\(signature) landed despite the error answer")
        }
        let balance = try await server.callObject("getBalance", [recipient.base58, ["commitment": "processed"]])
        #expect(int(balance["value"]) == 7_000_000_000 + 21)
        let state = try await server.controlState()
        #expect(counter(state, "faults", "send_error") == 7)
        #expect(counter(state, "transactions", "landed_with_error_answer") == 7)
        #expect(counter(state, "transactions", "executed") == 8, "the airdrop and the seven transfers")

        // Turned off, a send is answered with its signature again.
        try await server.control(["send_error_rate": 0, "reset_counters": true])
        let plain = try await sign(server, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_007)], signers: [payer])
        #expect(try await send(server, plain) == plain.id.base58)
        #expect(counter(try await server.controlState(), "faults", "send_error") == 0)
    }

    @Test func aLateSendLandsLateSlotsLaterUnlessItsBlockhashExpired() async throws {
        let server = try await fundedServer()
        for bad in [0, 151, 2.5, true] as [Any] {
            #expect(try await refused(server, ["late_slots": bad]) != nil, "late_slots \(bad)")
        }
        #expect(try await refused(server, ["late_rate": -0.1]) != nil)
        #expect(int(try await server.controlState()["late_slots"]) == 5, "the default")

        var state = try await server.control(["paused": true, "late_rate": 1, "late_slots": 5])
        let start = try #require(int(state["slot"]))
        let transfer = SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000)
        let transaction = try await sign(server, [transfer], signers: [payer])
        let signature = try await send(server, transaction)
        #expect(signature == transaction.id.base58, "answered at once with its signature")
        #expect(int(try await server.controlState()["held_late"]) == 1)
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(try await status(server, signature, history: true) == nil, "held; paused, the slot does not move")
        try await server.control(["advance_slots": 4])
        #expect(try await status(server, signature, history: true) == nil, "four slots later, still held")
        state = try await server.control(["advance_slots": 1])
        #expect(int(state["held_late"]) == 0)
        let landed = try #require(try await status(server, signature))
        #expect(int(landed["slot"]) == start + 5, "landed late_slots slots after the send")
        #expect(landed["err"] is NSNull)

        // 150 slots late: a blockhash from the finalized bank (4 slots old) has expired by then, a processed one has not.
        try await server.control(["late_slots": 150])
        let stale = try await sign(server, [ComputeBudgetProgram.setComputeUnitLimit(1_000), transfer], signers: [payer])
        let fresh = try await sign(server, [ComputeBudgetProgram.setComputeUnitLimit(2_000), transfer], signers: [payer], commitment: "processed")
        #expect(try await send(server, stale) == stale.id.base58)
        #expect(try await send(server, fresh, ["preflightCommitment": "processed"]) == fresh.id.base58)
        #expect(int(try await server.controlState()["held_late"]) == 2)
        try await server.control(["advance_slots": 149])
        #expect(try await status(server, stale.id.base58, history: true) == nil)
        #expect(try await status(server, fresh.id.base58, history: true) == nil)
        state = try await server.control(["advance_slots": 1])
        #expect(int(state["held_late"]) == 0)
        #expect(try await status(server, stale.id.base58, history: true) == nil, "expired while held: never lands")
        #expect(int(try await status(server, fresh.id.base58, history: true)?["slot"]) == start + 5 + 150)
        #expect(counter(state, "transactions", "held_late") == 3)
        #expect(counter(state, "transactions", "landed_late") == 2)
        #expect(counter(state, "transactions", "not_landed") == 1)
        let balance = try await server.callObject("getBalance", [recipient.base58, ["commitment": "processed"]])
        #expect(int(balance["value"]) == 2_000_000_000)

        // The slot timer brings them too.
        state = try await server.control(["late_slots": 5, "paused": false])
        let before = try #require(int(state["slot"]))
        let timed = try await sign(server, [ComputeBudgetProgram.setComputeUnitLimit(3_000), transfer], signers: [payer])
        _ = try await send(server, timed)
        #expect(try await eventually { try await status(server, timed.id.base58) != nil })
        #expect(int(try await status(server, timed.id.base58)?["slot"]) ?? 0 >= before + 5)
    }
}
