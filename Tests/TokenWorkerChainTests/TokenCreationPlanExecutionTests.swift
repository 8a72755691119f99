import ChainTestSupport
import FlutterbyeStore
import Foundation
import SolanaCore
import Testing
import TokenWorker

/// The worker's token-creation transaction, built from a job's fields, executed by the real programs in LiteSVM.
@Suite(.enabled(if: LiteSVMSession.isAvailable, "needs the Python venv with solders: run Tests/run"))
struct TokenCreationPlanExecutionTests {
    let payer = try! Keypair(seed: [UInt8](repeating: 21, count: 32))
    let authority = try! Keypair(seed: [UInt8](repeating: 22, count: 32))
    let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 23, count: 32))
    static let recipient = "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z"

    static func program(_ name: String) -> TokenProgram { name == "token" ? .token : .token2022 }

    @Test(arguments: ["token", "token-2022"], [true, false])
    func aJobsTransactionCreatesItsToken(program: String, separateAuthority: Bool) async throws {
        let chain = try await LiteSVMSession.start()
        try chain.airdrop(payer.publicKey, lamports: 10_000_000_000)
        let plan = try TokenCreationPlan(
            program: Self.program(program), decimals: 6, name: "Job Token", symbol: "JOB", uri: "https://flutterbye.example/job.json",
            amount: .max, recipient: try PublicKey(base58: Self.recipient), memo: "job order-7")
        let mint = derivation.keypair(forJobKey: "order-7-\(program)-\(separateAuthority)")
        let mintAuthority = separateAuthority ? authority : payer
        let rent = try chain.rentExemptMinimum(space: try plan.finalMintSpace(mint: mint.publicKey, updateAuthority: mintAuthority.publicKey))
        let transaction = try plan.transaction(
            payer: payer, mint: mint, mintAuthority: mintAuthority, mintRentLamports: rent, recentBlockhash: try chain.latestBlockhash(),
            computeUnitLimit: 200_000, computeUnitPrice: 1_000)
        #expect(transaction.signatures.count == (separateAuthority ? 3 : 2))
        let outcome = try chain.send(transaction)
        #expect(outcome.succeeded, "\(outcome.error ?? "") \(outcome.logs.joined(separator: "\n"))")
        #expect(outcome.logs.contains { $0.contains("job order-7") })

        let mintAccount = try #require(try chain.account(mint.publicKey))
        #expect(mintAccount.owner == plan.program.programID)
        let state = try TokenMintState(data: mintAccount.data)
        #expect(state.supply == UInt64.max)
        #expect(state.mintAuthority == mintAuthority.publicKey)
        if plan.program == .token2022 {
            let metadata = try #require(try TokenMetadataState(mintData: mintAccount.data))
            #expect(metadata.name == "Job Token" && metadata.symbol == "JOB" && metadata.uri == "https://flutterbye.example/job.json")
        }
        let ata = try AssociatedTokenAccountProgram.address(wallet: plan.recipient, mint: mint.publicKey, tokenProgram: plan.program.programID)
        #expect(try TokenAccountState(data: try #require(try chain.account(ata)).data).amount == UInt64.max)

        // A retry of the same job derives the same mint, so a second creation fails on chain instead of making
        // a second token.
        let retry = try plan.transaction(
            payer: payer, mint: derivation.keypair(forJobKey: "order-7-\(program)-\(separateAuthority)"), mintAuthority: mintAuthority,
            mintRentLamports: rent, recentBlockhash: try chain.latestBlockhash(), computeUnitLimit: 200_000, computeUnitPrice: 1_001)
        #expect(!(try chain.send(retry)).succeeded)
    }

    /// Anyone can send lamports to a mint address once it is known (it is public from the first send): the job's
    /// transaction must still create the token there, and the lamports stay in the mint account. (The runtime refuses a
    /// transfer that leaves an empty account below its rent-exempt minimum, 890,880 lamports: the smallest gift.)
    @Test(arguments: ["token", "token-2022"], [UInt64(890_880), 1_000_000_000])
    func aJobsTransactionCreatesItsTokenOnAnAddressAStrangerFunded(program: String, gift: UInt64) async throws {
        let chain = try await LiteSVMSession.start()
        try chain.airdrop(payer.publicKey, lamports: 10_000_000_000)
        let plan = try TokenCreationPlan(
            program: Self.program(program), decimals: 3, name: "Gift", symbol: "GFT", uri: "https://flutterbye.example/gift.json", amount: 77,
            recipient: try PublicKey(base58: Self.recipient), memo: nil)
        let mint = derivation.keypair(forJobKey: "gift-\(program)-\(gift)")
        try chain.airdrop(mint.publicKey, lamports: gift)
        let rent = try chain.rentExemptMinimum(space: try plan.finalMintSpace(mint: mint.publicKey, updateAuthority: payer.publicKey))
        let transaction = try plan.transaction(
            payer: payer, mint: mint, mintAuthority: payer, mintRentLamports: rent, recentBlockhash: try chain.latestBlockhash(),
            computeUnitLimit: 200_000, computeUnitPrice: nil)
        let outcome = try chain.send(transaction)
        #expect(outcome.succeeded, "\(outcome.error ?? "") \(outcome.logs.joined(separator: "\n"))")
        let mintAccount = try #require(try chain.account(mint.publicKey))
        #expect(mintAccount.owner == plan.program.programID)
        #expect(mintAccount.lamports == rent + gift)
        #expect(try TokenMintState(data: mintAccount.data).supply == 77)
        let ata = try AssociatedTokenAccountProgram.address(wallet: plan.recipient, mint: mint.publicKey, tokenProgram: plan.program.programID)
        #expect(try TokenAccountState(data: try #require(try chain.account(ata)).data).amount == 77)
    }

    /// A job's fields become a plan only through `TokenJobRequest.plan()`, which refuses a bad one naming it.
    @Test func malformedJobFieldsAreRefusedNamingTheField() {
        func refused(
            _ field: String, program: String = "token", decimals: Int = 6, name: String = "n", amount: String = "1",
            recipient: String = Self.recipient
        ) {
            let request = TokenJobRequest(
                idempotencyKey: "k", tokenProgram: program, decimals: decimals, name: name, symbol: "S", uri: "u", amount: amount,
                recipient: recipient)
            do {
                _ = try request.plan()
                Issue.record("\(field) should be refused")
            } catch {
                #expect(error.code == .invalidJob)
                #expect(error.field == field, "\(error)")
            }
        }
        #expect(throws: Never.self) {
            try TokenJobRequest(
                idempotencyKey: "k", tokenProgram: "token-2022", decimals: 9, name: "n", symbol: "S", uri: "u", amount: "18446744073709551615",
                recipient: Self.recipient
            ).plan()
        }
        refused("token_program", program: "token-2023")
        refused("decimals", decimals: 12)
        refused("name", name: String(repeating: "x", count: 33))
        refused("amount", amount: "18446744073709551616")
        refused("recipient", recipient: "nope")
    }
}
