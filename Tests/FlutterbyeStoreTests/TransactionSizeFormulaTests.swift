import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import SolanaCore
import Testing

/// `flutterbye.token_job_transaction_size`, the formula `enqueue_token_job` refuses by, against the size of the
/// transaction the sender's builder makes (`TokenCreationPlan`, with real keys and derived addresses), over field
/// lengths across every bound (the compact-u16 lengths at 128 bytes, the fields' own limits, multi-byte characters)
/// and every shape a worker sends: both programs, Metaplex on and off, the payer as mint authority or one of its own,
/// with and without a memo. The formula is the largest of them; `TokenCreationSize` (what Swift refuses by) is the same.
@Suite(.enabled(if: TestDatabase.testsEnabled, "needs FLUTTERBYE_TEST_DATABASE_URL: run Tests/run"))
struct TransactionSizeFormulaTests {
    struct Fields: Sendable {
        var program: String
        var name: String
        var symbol: String
        var uri: String
        var memo: String?
    }

    /// A worker configuration.
    struct Configuration: Sendable, CustomStringConvertible {
        var metaplex: Bool
        var separateAuthority: Bool
        var description: String {
            "Metaplex \(metaplex ? "on" : "off"), \(separateAuthority ? "a mint authority of its own" : "the payer as mint authority")"
        }
    }

    static let configurations = [false, true].flatMap { metaplex in [false, true].map { Configuration(metaplex: metaplex, separateAuthority: $0) } }
    static let payer = try! Keypair(seed: [UInt8](repeating: 81, count: 32))
    static let authority = try! Keypair(seed: [UInt8](repeating: 82, count: 32))
    static let mint = try! Keypair(seed: [UInt8](repeating: 83, count: 32))
    static let recipient = try! Keypair(seed: [UInt8](repeating: 84, count: 32)).publicKey.base58
    static let blockhash = try! Blockhash(bytes: [UInt8](repeating: 85, count: 32))

    /// `count` bytes of text in characters of `width` bytes (1: "a", 2: "é", 4: "𝄞"), then "a"s for the rest.
    static func text(_ count: Int, width: Int = 1) -> String {
        let character = width == 4 ? "\u{1D11E}" : width == 2 ? "\u{E9}" : "a"
        return String(repeating: character, count: count / width) + String(repeating: "a", count: count % width)
    }

    static var samples: [Fields] {
        var samples: [Fields] = []
        let metadataSizes = [0, 1, 64, 107, 108, 109, 127, 128, 150, 193, 200, 241, 242]
        // With the longest name, symbol and uri, a memo of up to 180 bytes fits (Token-2022), 184 (the classic program).
        let memoSizes: [Int?] = [nil, 0, 1, 100, 127, 128, 129, 180, 181, 184, 185, 300, 423, 424, 499, 500]
        for (index, metadata) in metadataSizes.enumerated() {
            let width = [1, 2, 4][index % 3]
            // The metadata bytes spread over the fields two ways: the name filled first, or the uri.
            let nameFirst = (min(32, metadata), min(10, max(0, metadata - 32)), max(0, metadata - 42))
            let uriFirst = (max(0, metadata - 210), min(10, max(0, metadata - 200)), min(200, metadata))
            for program in ["token", "token-2022"] {
                for (offset, memo) in memoSizes.enumerated() {
                    let (name, symbol, uri) = offset % 2 == 0 ? nameFirst : uriFirst
                    samples.append(
                        Fields(
                            program: program, name: text(name, width: width), symbol: text(symbol), uri: text(uri, width: width),
                            memo: memo.map { text($0, width: [1, 2, 4][offset % 3]) }))
                }
            }
        }
        return samples
    }

    /// The bytes of the transaction the builder makes for `fields` under `configuration` (its message with its
    /// signatures, what `Transaction` measures), and the signed transaction's own bytes when it fits (nil: refused).
    static func builtSize(_ fields: Fields, _ configuration: Configuration) throws -> (size: Int, signed: Int?) {
        let plan = try TokenCreationPlan(
            program: fields.program == "token" ? .token : .token2022, decimals: 9, name: fields.name, symbol: fields.symbol, uri: fields.uri,
            amount: .max, recipient: try PublicKey(base58: recipient), memo: fields.memo)
        let authority = configuration.separateAuthority ? Self.authority : payer
        let instructions = try plan.instructions(
            payer: payer.publicKey, mint: mint.publicKey, mintAuthority: authority.publicKey, mintRentLamports: 5_000_000, computeUnitLimit: 200_000,
            computeUnitPrice: 1_000, metaplexMetadata: configuration.metaplex)
        let message = try LegacyMessage(payer: payer.publicKey, instructions: instructions, recentBlockhash: blockhash)
        let size = Transaction.serializedSize(signatureCount: Int(message.header.numRequiredSignatures), messageSize: message.serialized().count)
        let signed = try? plan.transaction(
            payer: payer, mint: mint, mintAuthority: authority, mintRentLamports: 5_000_000, recentBlockhash: blockhash, computeUnitLimit: 200_000,
            computeUnitPrice: 1_000, metaplexMetadata: configuration.metaplex)
        return (size, signed?.serialized().count)
    }

    @Test func theFormulaIsTheLargestTransactionAWorkerBuilds() async throws {
        let samples = Self.samples
        try await TestDatabase.withClient { client in
            try await SchemaMigrator(script: try SchemaMigrator.schemaSQL(at: TestDatabase.schemaPath)).apply(on: client, logger: TestDatabase.logger)
            let rows = try await client.query(
                """
                SELECT flutterbye.token_job_transaction_size(program, name, symbol, uri, memo) AS size
                FROM unnest(\(samples.map(\.program)), \(samples.map(\.name)), \(samples.map(\.symbol)), \(samples.map(\.uri)),
                            \(samples.map { $0.memo ?? "" }), \(samples.map { $0.memo != nil }))
                    WITH ORDINALITY AS s(program, name, symbol, uri, memo_text, has_memo, n),
                    LATERAL (SELECT CASE WHEN has_memo THEN memo_text END AS memo) AS m
                ORDER BY n
                """, logger: TestDatabase.logger)
            var formula: [Int] = []
            for try await (size, ) in rows.decode((Int32,).self) { formula.append(Int(size)) }
            #expect(formula.count == samples.count)
            var over = 0
            var under = 0
            for (fields, formulaSize) in zip(samples, formula) {
                let built = try Self.configurations.map { try Self.builtSize(fields, $0) }
                for (size, signed) in built {
                    // What the sender signs is what was measured; what is over the limit cannot be signed.
                    #expect(signed == (size <= Transaction.maxSerializedSize ? size : nil))
                }
                let sizes = built.map(\.size)
                let lengths =
                    "\(fields.program): name \(fields.name.utf8.count), symbol \(fields.symbol.utf8.count), uri \(fields.uri.utf8.count), memo \(fields.memo.map { "\($0.utf8.count)" } ?? "none") bytes"
                #expect(
                    formulaSize == sizes.max(),
                    "\(lengths): the formula says \(formulaSize), the builder \(zip(Self.configurations, sizes).map { "\($0): \($1)" })")
                #expect(sizes.last == sizes.max(), "\(lengths): Metaplex on with a mint authority of its own is the largest")
                let swift = try TokenCreationSize.largest(
                    program: fields.program == "token" ? .token : .token2022, name: fields.name, symbol: fields.symbol, uri: fields.uri,
                    memo: fields.memo)
                #expect(swift == formulaSize, "\(lengths)")
                let fits = try TokenCreationSize.fits(
                    program: fields.program == "token" ? .token : .token2022, name: fields.name, symbol: fields.symbol, uri: fields.uri,
                    memo: fields.memo)
                #expect(fits == (formulaSize <= Transaction.maxSerializedSize), "\(lengths)")
                if formulaSize > Transaction.maxSerializedSize { over += 1 } else { under += 1 }
            }
            #expect(over > 20 && under > 20, "the samples lie on both sides of the limit: \(over) over, \(under) under")
            #expect(TokenCreationSize.memoThatAlwaysFits(.token2022) == 180 && TokenCreationSize.memoThatAlwaysFits(.token) == 184)
        }
    }
}
