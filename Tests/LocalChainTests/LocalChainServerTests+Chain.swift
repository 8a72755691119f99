import ChainTestSupport
import Foundation
import SolanaCore
import Testing

/// What a Solana node answers: commitment levels, the token and history methods, batches, the slot clock.
extension LocalChainServerTests {
    /// Before the chain is deeper than the confirmation depth nothing is confirmed: a transaction of slot 0 is
    /// processed in its status, and the history methods at confirmed do not show it either (they must agree).
    @Test func aTransactionOfTheFirstSlotIsNotConfirmedBeforeItsDepth() async throws {
        let server = try await LocalChainServer.start(slotMs: 2_000, confirmDepth: 2, finalizeDepth: 4)
        try await server.control(["paused": true])
        #expect(int(try await server.call("getSlot", [["commitment": "processed"]])) == 0)
        let signature = try #require(try await server.call("requestAirdrop", [payer.publicKey.base58, 1_000_000]) as? String)
        #expect(try await status(server, signature)?["confirmationStatus"] as? String == "processed")
        #expect(try await server.call("getTransaction", [signature, ["commitment": "confirmed"]]) is NSNull, "not confirmed yet")
        #expect(try await signatures(server, payer.publicKey, ["commitment": "confirmed"]).isEmpty, "not confirmed yet")
        try await server.control(["advance_slots": 2])
        #expect(try await status(server, signature)?["confirmationStatus"] as? String == "confirmed")
        #expect(try await server.call("getTransaction", [signature, ["commitment": "confirmed"]]) is [String: Any])
        #expect(try await signatures(server, payer.publicKey, ["commitment": "confirmed"]) == [signature])
    }

    @Test func tokenCreationMovesThroughCommitmentLevels() async throws {
        let server = try await fundedServer()
        let token = TokenProgram.token
        let mint = try Keypair(seed: [UInt8](repeating: 23, count: 32))
        let amount: UInt64 = 1_000_000 * 1_000_000
        let price: UInt64 = 10_000
        let memo = "flutterbye job 7: launch token"
        let ata = try AssociatedTokenAccountProgram.address(wallet: recipient, mint: mint.publicKey, tokenProgram: token.programID)
        let rent = try #require(int(try await server.call("getMinimumBalanceForRentExemption", [82])))
        let transaction = try await sign(
            server,
            [
                ComputeBudgetProgram.setComputeUnitLimit(120_000),
                ComputeBudgetProgram.setComputeUnitPrice(microLamports: price),
                SystemProgram.createAccount(
                    from: payer.publicKey, newAccount: mint.publicKey, lamports: UInt64(rent), space: 82, owner: token.programID),
                token.initializeMint2(mint: mint.publicKey, decimals: 6, mintAuthority: payer.publicKey, freezeAuthority: nil),
                try AssociatedTokenAccountProgram.createIdempotent(
                    payer: payer.publicKey, wallet: recipient, mint: mint.publicKey, tokenProgram: token.programID),
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
            try await server.callObject("getTokenAccountsByOwner", [recipient.base58, ["mint": mint.publicKey.base58], ["encoding": "base64"]])[
                "value"]
                as? [[String: Any]])
        #expect(owned.map { $0["pubkey"] as? String } == [ata.base58])
        let data = try #require(((owned.first?["account"] as? [String: Any])?["data"] as? [Any])?.first as? String)
        #expect(try TokenAccountState(data: Array(try #require(Data(base64Encoded: data)))).amount == amount)
        let programAccounts = try #require(
            try await server.call(
                "getProgramAccounts",
                [
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

    @Test func pauseStopsBlockHeight() async throws {
        let server = try await LocalChainServer.start(slotMs: 20)
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
        let server = try await LocalChainServer.start()
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
}
