import ChainTestSupport
import Foundation
import SolanaCore
import Testing

/// Transactions built and signed by SolanaCore, executed by LiteSVM's real System, Token, Token-2022, Associated
/// Token Account and Memo programs, then checked by reading the resulting accounts back.
@Suite(.enabled(if: LiteSVMSession.isAvailable, "needs the Python venv with solders: run Tests/run"))
struct TokenCreationExecutionTests {
    let payer = try! Keypair(seed: [UInt8](repeating: 11, count: 32))
    let recipient = try! Keypair(seed: [UInt8](repeating: 12, count: 32)).publicKey
    let memo = "flutterbye job 42: launch token"

    func newChain() async throws -> LiteSVMSession {
        let chain = try await LiteSVMSession.start()
        try chain.airdrop(payer.publicKey, lamports: 100_000_000_000)
        return chain
    }

    func expectSuccess(_ outcome: LiteSVMSession.Outcome, _ what: String) {
        #expect(outcome.succeeded, "\(what) failed: \(outcome.error ?? "") \(outcome.logs.joined(separator: "\n"))")
    }

    @Test func classicTokenCreationExecutes() async throws {
        let chain = try await newChain()
        let token = TokenProgram.token
        let mint = try Keypair(seed: [UInt8](repeating: 13, count: 32))
        let amount: UInt64 = 1_000_000 * 1_000_000
        let ata = try AssociatedTokenAccountProgram.address(wallet: recipient, mint: mint.publicKey, tokenProgram: token.programID)
        let instructions = [
            ComputeBudgetProgram.setComputeUnitLimit(80_000),
            ComputeBudgetProgram.setComputeUnitPrice(microLamports: 10_000),
            SystemProgram.createAccount(
                from: payer.publicKey, newAccount: mint.publicKey, lamports: try chain.rentExemptMinimum(space: 82), space: 82,
                owner: token.programID),
            token.initializeMint2(mint: mint.publicKey, decimals: 6, mintAuthority: payer.publicKey, freezeAuthority: nil),
            try AssociatedTokenAccountProgram.createIdempotent(
                payer: payer.publicKey, wallet: recipient, mint: mint.publicKey, tokenProgram: token.programID),
            token.mintTo(mint: mint.publicKey, destination: ata, authority: payer.publicKey, amount: amount),
            MemoProgram.memo(memo, signers: [payer.publicKey]),
        ]
        let message = try LegacyMessage(payer: payer.publicKey, instructions: instructions, recentBlockhash: try chain.latestBlockhash())
        let transaction = try Transaction(message: .legacy(message), signers: [mint, payer])
        let outcome = try chain.send(transaction)
        expectSuccess(outcome, "token creation")
        #expect(outcome.signature == transaction.id.base58)
        #expect(outcome.logs.contains { $0.contains(memo) }, "the memo program logs the memo")

        let mintAccount = try #require(try chain.account(mint.publicKey))
        #expect(mintAccount.owner == token.programID)
        let state = try TokenMintState(data: mintAccount.data)
        #expect(state.supply == amount)
        #expect(state.decimals == 6)
        #expect(state.mintAuthority == payer.publicKey)
        #expect(state.freezeAuthority == nil)
        #expect(state.isInitialized)

        let holding = try #require(try chain.account(ata))
        #expect(holding.owner == token.programID)
        let account = try TokenAccountState(data: holding.data)
        #expect(account.mint == mint.publicKey)
        #expect(account.owner == recipient)
        #expect(account.amount == amount)

        // Sending the same signed transaction again is refused (already processed): one mint, not two.
        #expect(!(try chain.send(transaction)).succeeded)
        #expect(try TokenMintState(data: try #require(try chain.account(mint.publicKey)).data).supply == amount)
    }

    @Test func token2022CreationWithOnChainMetadataExecutes() async throws {
        let chain = try await newChain()
        let token = TokenProgram.token2022
        let mint = try Keypair(seed: [UInt8](repeating: 14, count: 32))
        let (name, symbol, uri) = ("Flutterbye Launch", "FLBYL", "https://flutterbye.example/tokens/launch.json")
        let amount = UInt64.max
        let ata = try AssociatedTokenAccountProgram.address(wallet: recipient, mint: mint.publicKey, tokenProgram: token.programID)
        // Mint with the MetadataPointer extension: 165 (padded base) + 1 (account type) + 4 + 64 (TLV) bytes.
        let mintSpace = 234
        let metadataSpace = try TokenMetadata.tlvSize(updateAuthority: payer.publicKey, mint: mint.publicKey, name: name, symbol: symbol, uri: uri)
        let instructions = [
            ComputeBudgetProgram.setComputeUnitLimit(200_000),
            ComputeBudgetProgram.setComputeUnitPrice(microLamports: 1),
            SystemProgram.createAccount(
                from: payer.publicKey, newAccount: mint.publicKey, lamports: try chain.rentExemptMinimum(space: mintSpace + metadataSpace),
                space: UInt64(mintSpace), owner: token.programID),
            MetadataPointer.initialize(mint: mint.publicKey, authority: payer.publicKey, metadataAddress: mint.publicKey),
            token.initializeMint2(mint: mint.publicKey, decimals: 9, mintAuthority: payer.publicKey, freezeAuthority: payer.publicKey),
            try TokenMetadata.initialize(
                metadata: mint.publicKey, updateAuthority: payer.publicKey, mint: mint.publicKey, mintAuthority: payer.publicKey,
                name: name, symbol: symbol, uri: uri),
            try AssociatedTokenAccountProgram.createIdempotent(
                payer: payer.publicKey, wallet: recipient, mint: mint.publicKey, tokenProgram: token.programID),
            token.mintTo(mint: mint.publicKey, destination: ata, authority: payer.publicKey, amount: amount),
            MemoProgram.memo(memo, signers: [payer.publicKey]),
        ]
        let message = try LegacyMessage(payer: payer.publicKey, instructions: instructions, recentBlockhash: try chain.latestBlockhash())
        let outcome = try chain.send(try Transaction(message: .legacy(message), signers: [payer, mint]))
        expectSuccess(outcome, "Token-2022 creation")

        let mintAccount = try #require(try chain.account(mint.publicKey))
        #expect(mintAccount.owner == token.programID)
        let state = try TokenMintState(data: mintAccount.data)
        #expect(state.supply == amount)
        #expect(state.decimals == 9)
        #expect(state.mintAuthority == payer.publicKey)
        #expect(state.freezeAuthority == payer.publicKey)
        let metadata = try #require(try TokenMetadataState(mintData: mintAccount.data))
        #expect(metadata.name == name)
        #expect(metadata.symbol == symbol)
        #expect(metadata.uri == uri)
        #expect(metadata.mint == mint.publicKey)
        #expect(metadata.updateAuthority == payer.publicKey)

        let account = try TokenAccountState(data: try #require(try chain.account(ata)).data)
        #expect(account.amount == amount)
        #expect(account.owner == recipient)
    }

    /// Every other token builder, executed on both programs: a second holder via InitializeAccount3, MintToChecked,
    /// Transfer, TransferChecked, Burn, BurnChecked, SetAuthority, and (Token-2022) a metadata field update.
    @Test(arguments: [TokenProgram.token, TokenProgram.token2022])
    func tokenOperationsExecute(token: TokenProgram) async throws {
        let chain = try await newChain()
        let mint = try Keypair(seed: [UInt8](repeating: 15, count: 32))
        let holder = try Keypair(seed: [UInt8](repeating: 16, count: 32))
        let second = try Keypair(seed: [UInt8](repeating: 17, count: 32))
        let newAuthority = try Keypair(seed: [UInt8](repeating: 18, count: 32)).publicKey
        try chain.airdrop(holder.publicKey, lamports: 1_000_000_000)
        let holderATA = try AssociatedTokenAccountProgram.address(wallet: holder.publicKey, mint: mint.publicKey, tokenProgram: token.programID)
        let isToken2022 = token == TokenProgram.token2022
        let mintSpace = isToken2022 ? 234 : 82
        let metadataSpace = try TokenMetadata.tlvSize(updateAuthority: payer.publicKey, mint: mint.publicKey, name: "Before", symbol: "B", uri: "u")
        var setup = [
            SystemProgram.createAccount(
                from: payer.publicKey, newAccount: mint.publicKey, lamports: try chain.rentExemptMinimum(space: mintSpace + metadataSpace + 64),
                space: UInt64(mintSpace), owner: token.programID)
        ]
        if isToken2022 { setup.append(MetadataPointer.initialize(mint: mint.publicKey, authority: payer.publicKey, metadataAddress: mint.publicKey)) }
        setup.append(token.initializeMint2(mint: mint.publicKey, decimals: 2, mintAuthority: payer.publicKey, freezeAuthority: nil))
        if isToken2022 {
            setup.append(
                try TokenMetadata.initialize(
                    metadata: mint.publicKey, updateAuthority: payer.publicKey, mint: mint.publicKey, mintAuthority: payer.publicKey,
                    name: "Before", symbol: "B", uri: "u"))
        }
        setup += [
            try AssociatedTokenAccountProgram.create(
                payer: payer.publicKey, wallet: holder.publicKey, mint: mint.publicKey, tokenProgram: token.programID),
            SystemProgram.createAccount(
                from: payer.publicKey, newAccount: second.publicKey, lamports: try chain.rentExemptMinimum(space: 165),
                space: 165, owner: token.programID),
            token.initializeAccount3(account: second.publicKey, mint: mint.publicKey, owner: payer.publicKey),
            token.mintToChecked(mint: mint.publicKey, destination: holderATA, authority: payer.publicKey, amount: 10_000, decimals: 2),
        ]
        try run(chain, setup, signers: [payer, mint, second], "setup")

        var moves = [
            token.transfer(source: holderATA, destination: second.publicKey, owner: holder.publicKey, amount: 1_000),
            token.transferChecked(
                source: holderATA, mint: mint.publicKey, destination: second.publicKey, owner: holder.publicKey, amount: 500, decimals: 2),
            token.burn(account: holderATA, mint: mint.publicKey, owner: holder.publicKey, amount: 300),
            token.burnChecked(account: second.publicKey, mint: mint.publicKey, owner: payer.publicKey, amount: 200, decimals: 2),
            token.setAuthority(account: mint.publicKey, currentAuthority: payer.publicKey, authorityType: .mintTokens, newAuthority: newAuthority),
        ]
        if isToken2022 {
            moves.append(try TokenMetadata.updateField(metadata: mint.publicKey, updateAuthority: payer.publicKey, field: .name, value: "After"))
        }
        try run(chain, moves, signers: [payer, holder], "token operations")

        #expect(try TokenAccountState(data: try #require(try chain.account(holderATA)).data).amount == 10_000 - 1_000 - 500 - 300)
        #expect(try TokenAccountState(data: try #require(try chain.account(second.publicKey)).data).amount == 1_000 + 500 - 200)
        let mintData = try #require(try chain.account(mint.publicKey)).data
        let state = try TokenMintState(data: mintData)
        #expect(state.supply == 10_000 - 300 - 200)
        #expect(state.mintAuthority == newAuthority)
        if isToken2022 { #expect(try TokenMetadataState(mintData: mintData)?.name == "After") }

        // The old authority can no longer mint: the program refuses, and the harness reports the failure.
        let refused = try chain.send(
            try Transaction(
                message: .legacy(
                    try LegacyMessage(
                        payer: payer.publicKey,
                        instructions: [token.mintTo(mint: mint.publicKey, destination: holderATA, authority: payer.publicKey, amount: 1)],
                        recentBlockhash: try chain.latestBlockhash())),
                signers: [payer]))
        #expect(!refused.succeeded)
        #expect(refused.logs.contains { $0.contains("owner does not match") || $0.contains("Error") })
    }

    func run(_ chain: LiteSVMSession, _ instructions: [Instruction], signers: [Keypair], _ what: String) throws {
        let message = try LegacyMessage(payer: payer.publicKey, instructions: instructions, recentBlockhash: try chain.latestBlockhash())
        expectSuccess(try chain.send(try Transaction(message: .legacy(message), signers: signers)), what)
    }
}
