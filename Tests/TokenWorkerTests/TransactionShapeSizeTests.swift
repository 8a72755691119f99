import SolanaCore
import Testing
import TokenWorker

/// The calibration simulates the largest transaction of a job's shape: for a job whose own transaction fits in 1232
/// bytes, that transaction must fit too, or the job fails though it could be sent.
@Suite struct TransactionShapeSizeTests {
    static let payer = try! Keypair(seed: [UInt8](repeating: 71, count: 32))
    static let authority = try! Keypair(seed: [UInt8](repeating: 72, count: 32))
    static let mint = try! Keypair(seed: [UInt8](repeating: 73, count: 32))
    static let recipient = try! Keypair(seed: [UInt8](repeating: 74, count: 32)).publicKey
    static let blockhash = try! Blockhash(bytes: [UInt8](repeating: 9, count: 32))

    /// `plan`'s transaction as the sender signs it, with a mint authority of its own; nil when it is over 1232 bytes.
    static func transaction(_ plan: TokenCreationPlan, metaplex: Bool) throws -> Transaction? {
        do {
            return try plan.transaction(
                payer: payer, mint: mint, mintAuthority: authority, mintRentLamports: 1_000_000, recentBlockhash: blockhash,
                computeUnitLimit: 1_400_000, computeUnitPrice: 1_000_000, metaplexMetadata: metaplex)
        } catch  where error.code == .transactionTooLarge {
            return nil
        }
    }

    /// For metadata sizes across the buckets, the job with the longest memo that still fits: the largest transaction of
    /// its shape fits as well, and is at least as large as the job's own.
    @Test(arguments: [("token-2022", false), ("token", true)])
    func theLargestTransactionOfASendableJobsShapeFits(program: String, metaplex: Bool) throws {
        for metadata in [1, 64, 65, 100, 107, 108, 128, 129, 160, 193, 200, 242] {
            let name = String(repeating: "n", count: min(32, metadata))
            let symbol = String(repeating: "s", count: min(10, metadata - name.utf8.count))
            let uri = String(repeating: "u", count: metadata - name.utf8.count - symbol.utf8.count)
            var memo = 500
            func plan(_ memo: Int) throws -> TokenCreationPlan {
                try TokenCreationPlan(
                    program: program == "token" ? .token : .token2022, decimals: 6, name: name, symbol: symbol, uri: uri, amount: 1,
                    recipient: Self.recipient, memo: memo == 0 ? nil : String(repeating: "m", count: memo))
            }
            while memo > 0, try Self.transaction(try plan(memo), metaplex: metaplex) == nil { memo -= 1 }
            let job = try plan(memo)
            let own = try #require(try Self.transaction(job, metaplex: metaplex), "metadata \(metadata) B does not fit without a memo")
            let largest = TransactionShape(job, metaplexMetadata: metaplex).largest(of: job)
            let grown = try #require(
                try Self.transaction(largest, metaplex: metaplex), "metadata \(metadata) B, memo \(memo) B: the shape's largest is over 1232 bytes")
            #expect(grown.serialized().count >= own.serialized().count)
            #expect(TransactionShape(largest, metaplexMetadata: metaplex) == TransactionShape(job, metaplexMetadata: metaplex))
        }
    }

    /// The issuer's choices that add instructions are part of the shape (a job with them calibrates apart from one
    /// without), and the shape's largest transaction of a job with additional metadata near the limit still fits.
    @Test func choicesThatAddInstructionsShapeTheTransaction() throws {
        let escrow = try Keypair(seed: [UInt8](repeating: 75, count: 32)).publicKey
        func plan(_ choices: IssuerChoices, value: Int = 10) throws -> TokenCreationPlan {
            var choices = choices
            if !choices.additionalMetadata.isEmpty {
                choices.additionalMetadata = [TokenMetadataField("about", String(repeating: "a", count: value))]
            }
            return try TokenCreationPlan(
                program: .token2022, decimals: 6, name: "Name", symbol: "SYM", uri: String(repeating: "u", count: 100), amount: 1,
                recipient: Self.recipient, memo: "memo", choices: choices)
        }
        let standard = TransactionShape(try plan(.standard), metaplexMetadata: false)
        let withField = IssuerChoices(additionalMetadata: [TokenMetadataField("about", "")])
        let distinct = [
            IssuerChoices(mintAuthority: .nobody), IssuerChoices(metadataUpdateAuthority: .address(escrow)), withField,
        ].map { try! TransactionShape(plan($0), metaplexMetadata: false) }
        #expect(Set(distinct + [standard]).count == 4, "\(distinct)")
        // Revoking and handing the mint authority on cost the same instructions; so does the freeze authority's choice.
        #expect(try TransactionShape(plan(IssuerChoices(mintAuthority: .address(escrow))), metaplexMetadata: false) == distinct[0])
        #expect(try TransactionShape(plan(IssuerChoices(freezeAuthority: .service)), metaplexMetadata: false) == standard)

        var value = 1000
        while value > 0, try Self.transaction(try plan(withField, value: value), metaplex: false) == nil { value -= 1 }
        let job = try plan(withField, value: value)
        let own = try #require(try Self.transaction(job, metaplex: false))
        let largest = TransactionShape(job, metaplexMetadata: false).largest(of: job)
        let grown = try #require(try Self.transaction(largest, metaplex: false), "the shape's largest is over 1232 bytes")
        #expect(grown.serialized().count >= own.serialized().count)
        #expect(TransactionShape(largest, metaplexMetadata: false) == TransactionShape(job, metaplexMetadata: false))
        let small = try plan(withField, value: 3)
        let smallLargest = TransactionShape(small, metaplexMetadata: false).largest(of: small)
        #expect(smallLargest.choices.additionalMetadata[0].value.utf8.count == TransactionShape.additionalMetadataBucket - "about".utf8.count)
    }

    /// A job over the limit (the queue refuses such jobs; one enqueued before it did fails when it is signed) is not grown.
    @Test func aJobOverTheLimitIsNotGrown() throws {
        let job = try TokenCreationPlan(
            program: .token2022, decimals: 6, name: String(repeating: "n", count: 30), symbol: "S", uri: String(repeating: "u", count: 150),
            amount: 1, recipient: Self.recipient, memo: String(repeating: "m", count: 450))
        #expect(try Self.transaction(job, metaplex: false) == nil)
        #expect(TransactionShape(job, metaplexMetadata: false).largest(of: job) == job)
    }
}
