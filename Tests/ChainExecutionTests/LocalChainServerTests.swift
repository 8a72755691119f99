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
        let server = try LocalChainServer(slotMs: slotMs, confirmDepth: 1, finalizeDepth: 4)
        _ = try await server.call("requestAirdrop", [payer.publicKey.base58, 50_000_000_000])
        return server
    }

    func latestBlockhash(_ server: LocalChainServer, commitment: String = "finalized") async throws -> (Blockhash, Int) {
        let value = try #require(try await server.callObject("getLatestBlockhash", [["commitment": commitment]])["value"] as? [String: Any])
        return (try Blockhash(base58: try #require(value["blockhash"] as? String)), try #require(int(value["lastValidBlockHeight"])))
    }

    func sign(_ server: LocalChainServer, _ instructions: [Instruction], signers: [Keypair], commitment: String = "finalized") async throws
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
    func sendRaw(_ server: LocalChainServer, _ transaction: Transaction, _ config: [String: Any] = [:]) async throws
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

    // MARK: Tests

    @Test func tokenCreationMovesThroughCommitmentLevels() async throws {
        let server = try await fundedServer()
        let token = TokenProgram.token
        let mint = try Keypair(seed: [UInt8](repeating: 23, count: 32))
        let amount: UInt64 = 1_000_000 * 1_000_000
        let price: UInt64 = 10_000
        let memo = "flutterbye job 7: launch token"
        let ata = try AssociatedTokenAccountProgram.address(wallet: recipient, mint: mint.publicKey, tokenProgram: token.programID)
        let rent = try #require(int(try await server.call("getMinimumBalanceForRentExemption", [82])))
        let transaction = try await sign(server, [
            ComputeBudgetProgram.setComputeUnitLimit(120_000),
            ComputeBudgetProgram.setComputeUnitPrice(microLamports: price),
            SystemProgram.createAccount(from: payer.publicKey, newAccount: mint.publicKey, lamports: UInt64(rent), space: 82, owner: token.programID),
            token.initializeMint2(mint: mint.publicKey, decimals: 6, mintAuthority: payer.publicKey, freezeAuthority: nil),
            try AssociatedTokenAccountProgram.createIdempotent(payer: payer.publicKey, wallet: recipient, mint: mint.publicKey, tokenProgram: token.programID),
            token.mintTo(mint: mint.publicKey, destination: ata, authority: payer.publicKey, amount: amount),
            MemoProgram.memo(memo, signers: [payer.publicKey]),
        ], signers: [mint, payer])

        // Hold the chain still so the first status is deterministically `processed`.
        try await server.control(["paused": true])
        let signature = try await send(server, transaction)
        #expect(signature == transaction.id.base58)
        let processed = try #require(try await status(server, signature))
        #expect(processed["confirmationStatus"] as? String == "processed")
        #expect(int(processed["confirmations"]) == 0)
        #expect(processed["err"] is NSNull)
        #expect(try await server.call("getTransaction", [signature, ["commitment": "confirmed"]]) is NSNull, "not confirmed yet")

        try await server.control(["advance_slots": 1])
        #expect(try await status(server, signature)?["confirmationStatus"] as? String == "confirmed")
        #expect(try await server.call("getTransaction", [signature, ["commitment": "confirmed"]]) is [String: Any])
        #expect(try await server.call("getTransaction", [signature]) is NSNull, "the default commitment is finalized")

        // The timer takes it the rest of the way.
        try await server.control(["paused": false])
        var seen = ["processed", "confirmed"]
        let finalized = try await eventually {
            let current = try await status(server, signature)
            if let level = current?["confirmationStatus"] as? String, level != seen.last { seen.append(level) }
            return current?["confirmationStatus"] as? String == "finalized" && current?["confirmations"] is NSNull
        }
        #expect(finalized)
        #expect(seen == ["processed", "confirmed", "finalized"])

        // getTransaction at the default (finalized) commitment: the meta shows the mint.
        let result = try await server.callObject("getTransaction", [signature, ["encoding": "json", "maxSupportedTransactionVersion": 0]])
        #expect(result["version"] as? String == "legacy")
        #expect(int(result["blockTime"]) != nil)
        let slot = try #require(int(result["slot"]))
        let meta = try #require(result["meta"] as? [String: Any])
        let message = try #require((result["transaction"] as? [String: Any])?["message"] as? [String: Any])
        let keys = try #require(message["accountKeys"] as? [String])
        #expect(meta["err"] is NSNull)
        #expect((meta["status"] as? [String: Any])?.keys.contains("Ok") == true)
        #expect(int(meta["fee"]) ?? 0 > 5_000 * 2, "two signatures plus a priority fee")
        #expect(int(meta["computeUnitsConsumed"]) ?? 0 > 0)
        #expect((meta["logMessages"] as? [String])?.contains { $0.contains(memo) } == true)
        #expect(((meta["innerInstructions"] as? [[String: Any]]) ?? []).isEmpty == false, "the ATA program's CPIs")
        let loaded = try #require(meta["loadedAddresses"] as? [String: Any])
        #expect((loaded["writable"] as? [Any])?.isEmpty == true && (loaded["readonly"] as? [Any])?.isEmpty == true)
        let pre = try #require(meta["preBalances"] as? [Any])
        let post = try #require(meta["postBalances"] as? [Any])
        #expect(pre.count == keys.count && post.count == keys.count)
        #expect(int(post[0])! == int(pre[0])! - int(meta["fee"])! - rent - 2_039_280, "the payer pays fee, mint rent and ATA rent")
        let preTokens = try #require(meta["preTokenBalances"] as? [[String: Any]])
        let postTokens = try #require(meta["postTokenBalances"] as? [[String: Any]])
        #expect(preTokens.isEmpty, "the ATA did not exist before")
        let holding = try #require(postTokens.first)
        #expect(postTokens.count == 1)
        #expect(keys[try #require(int(holding["accountIndex"]))] == ata.base58)
        #expect(holding["mint"] as? String == mint.publicKey.base58)
        #expect(holding["owner"] as? String == recipient.base58)
        #expect(holding["programId"] as? String == token.programID.base58)
        let uiAmount = try #require(holding["uiTokenAmount"] as? [String: Any])
        #expect(uiAmount["amount"] as? String == String(amount))
        #expect(int(uiAmount["decimals"]) == 6)
        #expect(uiAmount["uiAmountString"] as? String == "1000000")

        // The token read methods agree.
        let supply = try #require(try await server.callObject("getTokenSupply", [mint.publicKey.base58])["value"] as? [String: Any])
        #expect(supply["amount"] as? String == String(amount))
        let owned = try #require(
            try await server.callObject("getTokenAccountsByOwner", [recipient.base58, ["mint": mint.publicKey.base58], ["encoding": "base64"]])["value"]
                as? [[String: Any]])
        #expect(owned.map { $0["pubkey"] as? String } == [ata.base58])
        let data = try #require(((owned.first?["account"] as? [String: Any])?["data"] as? [Any])?.first as? String)
        #expect(try TokenAccountState(data: Array(try #require(Data(base64Encoded: data)))).amount == amount)
        let programAccounts = try #require(
            try await server.call("getProgramAccounts", [
                token.programID.base58,
                ["encoding": "base64", "filters": [["dataSize": 165], ["memcmp": ["offset": 0, "bytes": mint.publicKey.base58]]]],
            ]) as? [[String: Any]])
        #expect(programAccounts.map { $0["pubkey"] as? String } == [ata.base58])

        // The priority fee is visible for the slot the transaction landed in.
        let fees = try #require(try await server.call("getRecentPrioritizationFees", [[mint.publicKey.base58]]) as? [[String: Any]])
        #expect(fees.contains { int($0["slot"]) == slot && int($0["prioritizationFee"]) == Int(price) })
    }

    @Test func signaturesForAddressPageNewestFirst() async throws {
        let server = try await fundedServer()
        var sent: [String] = []
        for index in 0..<5 {
            let transaction = try await sign(server, [MemoProgram.memo("page \(index)", signers: [payer.publicKey])], signers: [payer])
            sent.append(try await send(server, transaction))
        }
        try await server.control(["advance_slots": 4])

        let all = try await signatures(server, payer.publicKey, [:])
        #expect(all.count == 6, "five memos and the airdrop")
        #expect(Array(all.prefix(5)) == sent.reversed())
        let newest = try #require(try await server.call("getSignaturesForAddress", [payer.publicKey.base58, ["limit": 1]]) as? [[String: Any]])
        #expect(newest.first?["memo"] as? String == "[6] page 4")
        #expect(newest.first?["confirmationStatus"] as? String == "finalized")
        #expect(newest.first?["err"] is NSNull)

        // Pages of two with `before`, until the history runs out.
        var paged: [String] = []
        var before: String? = nil
        while true {
            var config: [String: Any] = ["limit": 2]
            if let before { config["before"] = before }
            let page = try await signatures(server, payer.publicKey, config)
            if page.isEmpty { break }
            #expect(page.count <= 2)
            paged += page
            before = page.last
        }
        #expect(paged == all)

        // `until` stops before the given signature; with `before` it bounds a window.
        #expect(try await signatures(server, payer.publicKey, ["until": sent[1]]) == [sent[4], sent[3], sent[2]])
        #expect(try await signatures(server, payer.publicKey, ["before": sent[4], "until": sent[1]]) == [sent[3], sent[2]])
        #expect(try await signatures(server, payer.publicKey, ["before": sent[4], "until": sent[1], "limit": 1]) == [sent[3]])
    }

    @Test func preflightFailureReturnsSimulationErrorAndSkippedPreflightLandsFailed() async throws {
        let server = try await fundedServer()
        let overdraft = try await sign(server, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000_000)], signers: [payer])
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
        let transaction = try await sign(server, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000)], signers: [payer])
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

    @Test func rateLimitAnswers429WithRetryAfterAnd5xxAnswers503() async throws {
        let server = try LocalChainServer()
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

    @Test func pauseStopsBlockHeight() async throws {
        let server = try LocalChainServer(slotMs: 20)
        try await server.control(["paused": true])
        let before = try #require(int(try await server.call("getBlockHeight", [["commitment": "processed"]])))
        try await Task.sleep(nanoseconds: 250_000_000)
        #expect(int(try await server.call("getBlockHeight", [["commitment": "processed"]])) == before)
        try await server.control(["paused": false])
        let moved = try await eventually(3) {
            (int(try await server.call("getBlockHeight", [["commitment": "processed"]])) ?? 0) > before
        }
        #expect(moved)
    }

    @Test func batchRequestAnswersInOrder() async throws {
        let server = try LocalChainServer()
        let batch: [[String: Any]] = [
            ["jsonrpc": "2.0", "id": 1, "method": "getSlot", "params": [["commitment": "processed"]]],
            ["jsonrpc": "2.0", "id": 2, "method": "getHealth"],
            ["jsonrpc": "2.0", "id": 3, "method": "noSuchMethod"],
            ["jsonrpc": "2.0", "id": 4, "method": "getBalance", "params": ["not a key"]],
            ["jsonrpc": "2.0", "id": 5, "method": "getVersion"],
        ]
        let answers = try #require(try await server.post(json: batch) as? [[String: Any]])
        #expect(answers.map { int($0["id"]) } == [1, 2, 3, 4, 5])
        #expect(int(answers[0]["result"]) != nil)
        #expect(answers[1]["result"] as? String == "ok")
        #expect(int((answers[2]["error"] as? [String: Any])?["code"]) == -32601)
        #expect(int((answers[3]["error"] as? [String: Any])?["code"]) == -32602)
        #expect((answers[4]["result"] as? [String: Any])?["solana-core"] is String)
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
        let batched = try await sign(server, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_006)], signers: [payer])
        sent.append(batched.id.base58)
        let batch: [[String: Any]] = [
            ["jsonrpc": "2.0", "id": 1, "method": "sendTransaction",
             "params": [Data(batched.serialized()).base64EncodedString(), ["encoding": "base64"]] as [Any]],
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

    @Test func methodErrorsAnswerThatMethodWithTheErrorUntilCleared() async throws {
        let server = try await fundedServer()
        #expect(try await refused(server, ["method_errors": ["getSlot": methodError(-32603, "Internal error", rate: 2)]]) != nil)
        #expect(try await refused(server, ["method_errors": ["getBlock": methodError(-32603, "Internal error")]]) != nil, "not served here")
        #expect(try await refused(server, ["method_errors": ["getSlot": ["rate": 1, "code": -32603]]]) != nil, "no message")
        #expect(try await refused(server, ["method_errors": ["getSlot": ["rate": 1, "code": "x", "message": "Internal error"] as [String: Any]]]) != nil)
        #expect(try await refused(server, ["method_errors": [["getSlot"]]]) != nil)

        let transaction = try await sign(server, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000)], signers: [payer])
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

        let transaction = try await sign(server, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000_000)], signers: [payer])
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
