import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import SolanaCore
import Testing

/// `flutterbye.token_job_transaction_size` with the issuer's choices against the builder's size: each mint, freeze
/// and metadata update authority choice, additional metadata across the compact-u16 bound of an instruction's data
/// (128 bytes) and of the instruction count (128 instructions), beside small and large metadata and memos.
extension TransactionSizeFormulaTests {
    struct ChoiceSample: Sendable {
        var fields: Fields
        var mintAuthority: String
        var freezeAuthority: String
        var metadataUpdateAuthority: String?
        var additionalMetadata: [TokenMetadataField]

        var choices: IssuerChoices {
            let escrow = try! PublicKey(base58: TransactionSizeFormulaTests.escrow)
            func holder(_ text: String?, service: String, nobody: String) -> AuthorityHolder {
                text == nil || text == service ? .service : text == nobody ? .nobody : .address(escrow)
            }
            return IssuerChoices(
                mintAuthority: holder(mintAuthority, service: "keep", nobody: "revoke"),
                freezeAuthority: holder(freezeAuthority, service: "ours", nobody: "none"),
                metadataUpdateAuthority: holder(metadataUpdateAuthority, service: "ours", nobody: "none"), additionalMetadata: additionalMetadata)
        }

        var storedFields: String {
            additionalMetadata.isEmpty
                ? "" : String(decoding: try! JSONEncoder().encode(additionalMetadata.map { [$0.key, $0.value] }), as: UTF8.self)
        }
    }

    static let escrow = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"

    static var choiceSamples: [ChoiceSample] {
        let fieldSets: [[TokenMetadataField]] = [
            [],
            [.init("website", "https://flutterbye.example")],
            // UpdateField data of 127 and 128 bytes (17 + key + value): a one- and a two-byte length.
            [.init("k", String(repeating: "v", count: 109)), .init("q", String(repeating: "w", count: 110)), .init("é", "𝄞")],
            // 120 fields: with the other instructions, more than 127 instructions.
            (0..<120).map { .init("k\($0)", "") },
        ]
        var samples: [ChoiceSample] = []
        for (index, metadata) in [(0, 0, 0), (20, 5, 60), (32, 10, 200)].enumerated() {
            for program in ["token", "token-2022"] {
                let fields = Fields(
                    program: program, name: text(metadata.0), symbol: text(metadata.1), uri: text(metadata.2, width: 2),
                    memo: index == 1 ? text(50) : nil)
                for mint in ["keep", "revoke", escrow] {
                    for freeze in ["none", "ours", escrow] {
                        let updates: [String?] = program == "token" ? [nil] : [nil, "none", escrow]
                        for (offset, update) in updates.enumerated() {
                            let sets = program == "token" ? [[]] : fieldSets
                            let additional = sets[(offset + freeze.count + mint.count) % sets.count]
                            samples.append(
                                ChoiceSample(
                                    fields: fields, mintAuthority: mint, freezeAuthority: freeze, metadataUpdateAuthority: update,
                                    additionalMetadata: additional))
                        }
                    }
                }
            }
        }
        return samples
    }

    @Test func theFormulaCountsEveryChoice() async throws {
        let samples = Self.choiceSamples
        try await TestDatabase.withClient { client in
            try await SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath)).apply(on: client, logger: TestDatabase.logger)
            let rows = try await client.query(
                """
                SELECT flutterbye.token_job_transaction_size(program, name, symbol, uri, CASE WHEN has_memo THEN memo END, mint_authority,
                           freeze_authority, nullif(update_authority, ''), nullif(additional, '')::jsonb) AS size
                FROM unnest(\(samples.map(\.fields.program)), \(samples.map(\.fields.name)), \(samples.map(\.fields.symbol)),
                            \(samples.map(\.fields.uri)), \(samples.map { $0.fields.memo ?? "" }), \(samples.map { $0.fields.memo != nil }),
                            \(samples.map(\.mintAuthority)), \(samples.map(\.freezeAuthority)), \(samples.map { $0.metadataUpdateAuthority ?? "" }),
                            \(samples.map(\.storedFields)))
                    WITH ORDINALITY AS s(program, name, symbol, uri, memo, has_memo, mint_authority, freeze_authority, update_authority,
                                         additional, n)
                ORDER BY n
                """, logger: TestDatabase.logger)
            var formula: [Int] = []
            for try await (size, ) in rows.decode((Int32,).self) { formula.append(Int(size)) }
            #expect(formula.count == samples.count)
            var over = 0
            for (sample, formulaSize) in zip(samples, formula) {
                let fields = sample.fields
                let program: TokenProgram = fields.program == "token" ? .token : .token2022
                let plan = try TokenCreationPlan(
                    program: program, decimals: 9, name: fields.name, symbol: fields.symbol, uri: fields.uri, amount: .max,
                    recipient: try PublicKey(base58: Self.recipient), memo: fields.memo, choices: sample.choices)
                let sizes = try Self.configurations.map { configuration in
                    let instructions = try plan.instructions(
                        payer: Self.payer.publicKey, mint: Self.mint.publicKey,
                        mintAuthority: configuration.separateAuthority ? Self.authority.publicKey : Self.payer.publicKey,
                        mintRentLamports: 5_000_000, computeUnitLimit: 200_000, computeUnitPrice: 1_000, metaplexMetadata: configuration.metaplex)
                    let message = try LegacyMessage(payer: Self.payer.publicKey, instructions: instructions, recentBlockhash: Self.blockhash)
                    return Transaction.serializedSize(
                        signatureCount: Int(message.header.numRequiredSignatures), messageSize: message.serialized().count)
                }
                let described =
                    "\(fields.program), metadata \(fields.name.utf8.count + fields.symbol.utf8.count + fields.uri.utf8.count) B, memo \(fields.memo?.utf8.count ?? 0) B, mint \(sample.mintAuthority), freeze \(sample.freezeAuthority), update \(sample.metadataUpdateAuthority ?? "-"), \(sample.additionalMetadata.count) field(s)"
                #expect(formulaSize == sizes.max(), "\(described): the formula says \(formulaSize), the builder \(sizes)")
                let swift = try TokenCreationSize.largest(
                    program: program, name: fields.name, symbol: fields.symbol, uri: fields.uri, memo: fields.memo, choices: sample.choices)
                #expect(swift == formulaSize, "\(described)")
                if formulaSize > Transaction.maxSerializedSize { over += 1 }
            }
            #expect(over > 5 && over < samples.count - 20, "the samples lie on both sides of the limit: \(over) over of \(samples.count)")
        }
    }
}
