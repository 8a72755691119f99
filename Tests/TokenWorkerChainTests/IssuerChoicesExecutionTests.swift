import ChainTestSupport
import Foundation
import SolanaCore
import Testing

/// The issuer's choices (who holds the mint, freeze and metadata update authorities afterwards, the metadata's
/// additional fields) in the job's one transaction, executed by the real programs in LiteSVM and read back from the
/// mint account by the independent Python reader (`IndependentMint`).
@Suite(.enabled(if: LiteSVMSession.isAvailable, "needs the Python venv with solders: run Tests/run"))
struct IssuerChoicesExecutionTests {
    let payer = try! Keypair(seed: [UInt8](repeating: 31, count: 32))
    let authority = try! Keypair(seed: [UInt8](repeating: 32, count: 32))
    let derivation = try! JobKeyDerivation(masterSeed: [UInt8](repeating: 33, count: 32))
    static let recipient = try! PublicKey(base58: "BhK78j38esEuNG4HTBeFpp6o8hqHwTf7tTxwfezXH39z")
    static let escrow = try! Keypair(seed: [UInt8](repeating: 34, count: 32)).publicKey
    static let freezer = try! Keypair(seed: [UInt8](repeating: 35, count: 32)).publicKey
    static let curator = try! Keypair(seed: [UInt8](repeating: 36, count: 32)).publicKey
    static let fields = [TokenMetadataField("website", "https://flutterbye.example"), TokenMetadataField("twitter", "@flutterbye")]

    /// Sends the job's transaction (a mint authority of its own, the largest configuration) and reads the mint back.
    func create(_ key: String, program: TokenProgram, amount: UInt64, choices: IssuerChoices) async throws -> IndependentMint {
        let chain = try await LiteSVMSession.start()
        try chain.airdrop(payer.publicKey, lamports: 10_000_000_000)
        let plan = try TokenCreationPlan(
            program: program, decimals: 4, name: "Issuer Token", symbol: "ISS", uri: "https://flutterbye.example/issuer.json", amount: amount,
            recipient: Self.recipient, memo: "job \(key)", choices: choices)
        let mint = derivation.keypair(forJobKey: key)
        let rent = try chain.rentExemptMinimum(space: try plan.finalMintSpace(mint: mint.publicKey, updateAuthority: authority.publicKey))
        let transaction = try plan.transaction(
            payer: payer, mint: mint, mintAuthority: authority, mintRentLamports: rent, recentBlockhash: try chain.latestBlockhash(),
            computeUnitLimit: 400_000, computeUnitPrice: 1_000)
        if program == .token2022 {
            let measured = try TokenCreationSize.largest(
                program: program, name: plan.name, symbol: plan.symbol, uri: plan.uri, memo: plan.memo, choices: choices)
            #expect(transaction.serialized().count == measured, "TokenCreationSize measures the transaction signed")
        }
        let outcome = try chain.send(transaction)
        #expect(outcome.succeeded, "\(key): \(outcome.error ?? "") \(outcome.logs.joined(separator: "\n"))")
        let account = try #require(try chain.account(mint.publicKey))
        #expect(account.owner == program.programID)
        let ata = try AssociatedTokenAccountProgram.address(wallet: Self.recipient, mint: mint.publicKey, tokenProgram: program.programID)
        #expect(try chain.account(ata) != nil, "the recipient's token account exists")
        return try await IndependentMint.read(account.data)
    }

    @Test func revokingTheMintAuthorityFixesTheSupply() async throws {
        for program in [TokenProgram.token, .token2022] {
            let mint = try await create(
                "revoke-\(program.programID)", program: program, amount: 1_000_000, choices: IssuerChoices(mintAuthority: .nobody))
            #expect(mint.mintAuthority == nil, "\(program.programID): \(mint)")
            #expect(mint.supply == 1_000_000)
            #expect(mint.freezeAuthority == nil)
        }
    }

    @Test func theMintAndFreezeAuthoritiesGoWhereTheIssuerSays() async throws {
        for program in [TokenProgram.token, .token2022] {
            let handed = try await create(
                "hand-off-\(program.programID)", program: program, amount: 42,
                choices: IssuerChoices(mintAuthority: .address(Self.escrow), freezeAuthority: .address(Self.freezer)))
            #expect(handed.mintAuthority == Self.escrow.base58 && handed.freezeAuthority == Self.freezer.base58, "\(handed)")
            #expect(handed.supply == 42)
            let ours = try await create(
                "freeze-ours-\(program.programID)", program: program, amount: 7, choices: IssuerChoices(freezeAuthority: .service))
            #expect(ours.mintAuthority == authority.publicKey.base58 && ours.freezeAuthority == authority.publicKey.base58, "\(ours)")
        }
    }

    @Test func token2022MetadataCarriesTheAdditionalFieldsAndTheChosenUpdateAuthority() async throws {
        let standard = try await create("metadata-standard", program: .token2022, amount: 5, choices: .standard)
        #expect(standard.metadata?.updateAuthority == authority.publicKey.base58 && standard.metadata?.additionalMetadata == [])
        #expect(standard.metadataPointer?.authority == authority.publicKey.base58)
        #expect(standard.mintAuthority == authority.publicKey.base58 && standard.freezeAuthority == nil)

        let immutable = try await create(
            "metadata-none", program: .token2022, amount: 5,
            choices: IssuerChoices(
                mintAuthority: .nobody, freezeAuthority: .service, metadataUpdateAuthority: .nobody, additionalMetadata: Self.fields))
        let metadata = try #require(immutable.metadata)
        #expect(metadata.additionalMetadata == Self.fields.map { [$0.key, $0.value] })
        #expect(metadata.updateAuthority == nil && immutable.metadataPointer?.authority == nil, "\(immutable)")
        #expect(metadata.name == "Issuer Token" && metadata.symbol == "ISS" && metadata.uri == "https://flutterbye.example/issuer.json")
        #expect(immutable.mintAuthority == nil && immutable.freezeAuthority == authority.publicKey.base58 && immutable.supply == 5)

        let curated = try await create(
            "metadata-given", program: .token2022, amount: 5,
            choices: IssuerChoices(metadataUpdateAuthority: .address(Self.curator), additionalMetadata: [Self.fields[0]]))
        #expect(curated.metadata?.updateAuthority == Self.curator.base58 && curated.metadataPointer?.authority == Self.curator.base58)
        #expect(curated.metadata?.additionalMetadata == [["website", "https://flutterbye.example"]])
    }

    /// A classic token has no Token-2022 metadata: a plan that asks for its choices is refused before anything is built.
    @Test func aClassicTokenRefusesTokenMetadataChoices() {
        for choices in [IssuerChoices(metadataUpdateAuthority: .nobody), IssuerChoices(additionalMetadata: Self.fields)] {
            #expect(throws: SolanaCoreError.self) {
                try TokenCreationPlan(
                    program: .token, decimals: 0, name: "n", symbol: "s", uri: "u", amount: 1, recipient: Self.recipient, memo: nil, choices: choices)
            }
        }
    }
}
