import ChainTestSupport
import FlutterbyeIndexer
import Foundation
import SolanaCore
import SolanaRPC
import Testing

/// `getTransaction` through the RPC client, against transactions the local chain executed: the decoded transaction,
/// balances, token balances, inner instructions and logs, failures, v0 messages, and the batched form.
extension SolanaRPCClientTests {
    /// Sends `instructions` signed by the payer (legacy, or v0 without lookup tables) without preflight, and waits
    /// until the transaction is confirmed.
    func land(_ client: SolanaRPCClient, _ instructions: [Instruction], v0: Bool = false) async throws -> Signature {
        try await landSigningAgain(client) { blockhash in
            let message: VersionedMessage =
                v0
                ? .v0(try V0Message(payer: payer.publicKey, instructions: instructions, addressLookupTables: [], recentBlockhash: blockhash))
                : .legacy(try LegacyMessage(payer: payer.publicKey, instructions: instructions, recentBlockhash: blockhash))
            return try Transaction(message: message, signers: [payer])
        }
    }

    /// Sends the transaction `sign` makes with a new blockhash, without preflight, until one lands (at most five
    /// times), and waits until it is confirmed. The local chain executes a send at once, so a transaction it does not
    /// know right after the send never lands: on a loaded machine its blockhash could expire before it was sent.
    func landSigningAgain(_ client: SolanaRPCClient, _ sign: (Blockhash) async throws -> Transaction) async throws -> Signature {
        for _ in 0..<5 {
            let blockhash = try await client.latestBlockhash(commitment: .processed).blockhash
            let signature = try await client.sendTransaction(try await sign(blockhash), skipPreflight: true)
            guard try await client.signatureStatuses([signature]).first ?? nil != nil else { continue }
            try await client.waitUntilConfirmed(signature, polls: 2400)
            return signature
        }
        throw RPCError(.transport, "no transaction landed in five sends, each signed with a new blockhash")
    }

    @Test func fetchesWhatALandedTransactionDidWithItsBalancesAndInnerInstructions() async throws {
        let server = try await LocalChainServer.start()
        let client = try client(server)
        try await fund(client, payer.publicKey)
        var made: (Transaction, PublicKey)?
        let created = try await landSigningAgain(client) { blockhash in
            let signed = try await tokenTransaction(client, key: "history-1", blockhash: blockhash)
            made = signed
            return signed.0
        }
        let (creation, mint) = try #require(made)
        let recipient = try PublicKey(base58: "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z")
        // A failed transaction (more lamports than the payer has) and a v0 one.
        let failed = try await land(client, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 10_000_000_000_000)])
        let moved = try await land(client, [SystemProgram.transfer(from: payer.publicKey, to: recipient, lamports: 1_000_000)], v0: true)

        // By the clock, not by a count of polls: on a loaded CI machine 400 polls were not enough.
        var fetched: FetchedTransaction?
        let deadline = ContinuousClock.now + .seconds(60)
        while fetched == nil, ContinuousClock.now < deadline {
            fetched = try await client.transaction(created)
            if fetched == nil { try await Task.sleep(for: .milliseconds(25)) }
        }
        let createdStatus = try await client.signatureStatuses([created]).first ?? nil
        let transaction = try #require(fetched, "no transaction for \(created.base58) in 60 s; its status: \(String(describing: createdStatus))")
        #expect(transaction.signature == created && transaction.transaction == creation)
        // The slot the chain reports for it (slot 0 too: the local chain's first slot lasts 50 ms, and a quick test lands there).
        let status = try await client.signatureStatuses([created])
        #expect(transaction.slot == status.first??.slot && transaction.blockTime != nil)
        #expect(transaction.meta.error == nil && transaction.meta.fee >= 5_000)
        #expect(transaction.meta.preBalances.count == transaction.accountKeys.count)
        let payerIndex = try #require(transaction.accountKeys.firstIndex(of: payer.publicKey))
        #expect(transaction.meta.preBalances[payerIndex] > transaction.meta.postBalances[payerIndex], "the payer paid fee and rent")
        // The recipient's associated token account received the 500 base units the creation minted.
        let account = try AssociatedTokenAccountProgram.address(wallet: recipient, mint: mint, tokenProgram: TokenProgram.token2022.programID)
        let balance = try #require(transaction.meta.postTokenBalances.first { transaction.accountKeys[$0.accountIndex] == account })
        #expect(balance.mint == mint && balance.owner == recipient && balance.amount == 500 && balance.decimals == 2)
        #expect(balance.programID == TokenProgram.token2022.programID)
        #expect(!transaction.meta.preTokenBalances.contains { transaction.accountKeys[$0.accountIndex] == account }, "it did not exist before")
        // Creating the associated token account invoked the System and Token-2022 programs.
        let invoked = transaction.meta.innerInstructions.flatMap(\.instructions).map { transaction.accountKeys[$0.programIDIndex] }
        #expect(invoked.contains(SystemProgram.programID) && invoked.contains(TokenProgram.token2022.programID), "\(invoked)")
        #expect(transaction.meta.logMessages?.isEmpty == false)
        // What the indexer reads from it, watching the new mint as FLBY: the MintTo into the recipient's account.
        let indexed = TransactionMovements.extract(transaction, watching: WatchedAddresses(flbyMint: mint, escrowWallet: recipient))
        #expect(indexed.movements.map(\.kind) == [.mint])
        #expect(indexed.movements.first?.destinationAccount == account && indexed.movements.first?.destinationOwner == recipient)
        #expect(indexed.movements.first?.amount == 500 && indexed.movements.first?.innerIndex == nil)
        #expect(indexed.flbyBalances == [FlbyAccountBalance(account: account, owner: recipient, amount: 500, preAmount: nil)])
        #expect(
            indexed.walletActivity == [
                WalletActivity(role: .escrow, wallet: recipient, lamportsDelta: 0, flbyDelta: 500, preLamports: 0, postLamports: 0)
            ])
        #expect(indexed.memo == "history-1")
        #expect(indexed.walletTokenAccounts == [WalletTokenAccount(role: .escrow, account: account)])

        // What reconciliation and account discovery read: the supply, the account's balance, the mint's accounts.
        #expect(try await client.tokenSupply(mint) == 500)
        #expect(try await client.tokenAccountBalance(account) == 500)
        let holders = try await client.tokenAccounts(ofMint: mint, program: TokenProgram.token2022.programID)
        #expect(holders.map(\.address) == [account] && holders.first?.owner == recipient && holders.first?.amount == 500)
        #expect(try await client.tokenAccounts(ofMint: mint, program: TokenProgram.token.programID).isEmpty)

        let failure = try #require(try await client.transaction(failed))
        #expect(failure.meta.error != nil, "the overdraft failed")
        #expect(failure.meta.fee > 0)
        let versioned = try #require(try await client.transaction(moved))
        guard case .v0 = versioned.transaction.message else {
            Issue.record("expected a v0 message")
            return
        }
        #expect(versioned.meta.error == nil)
        let recipientIndex = try #require(versioned.accountKeys.firstIndex(of: recipient))
        #expect(versioned.meta.postBalances[recipientIndex] - versioned.meta.preBalances[recipientIndex] == 1_000_000)

        // The batched form answers each in its place; a signature the node never saw is nil.
        let unknown = try Keypair(seed: [UInt8](repeating: 9, count: 32)).sign([1, 2, 3])
        let answers = try await client.transactions([moved, unknown, failed])
        #expect(answers.count == 3)
        #expect((try answers[0].get())?.signature == moved)
        #expect(try answers[1].get() == nil)
        #expect((try answers[2].get())?.meta.error != nil)
    }
}
