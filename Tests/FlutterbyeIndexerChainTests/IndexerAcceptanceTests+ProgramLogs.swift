import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import Logging
import NIOCore
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// The watched program's log lines and Anchor events, end to end: transactions on the local chain, the indexer, and
/// the rows in `program_logs` and `program_events`.
extension IndexerAcceptanceTests {
    @Test("the configured program's transactions are followed and their log lines kept in program_logs; other programs' are not")
    func theWatchedProgramsLogLinesAreKept() async throws {
        try await Self.withIndexEnvironment(database: "index_program_logs") { client, rpc, server in
            // The Memo program stands in for the Flutterbye program: the chain has it, and it logs.
            let payer = Keypair.generate()
            _ = try await rpc.call("requestAirdrop", [.string(payer.publicKey.base58), .uint(1_000_000_000)], as: String.self)
            let mint = Keypair.generate().publicKey
            let watched = WatchedAddresses(flbyMint: mint, programID: MemoProgram.programID)
            let blockhash = try await rpc.latestBlockhash(commitment: .processed).blockhash
            let memo = try Transaction(
                message: .legacy(try LegacyMessage(payer: payer.publicKey, instructions: [MemoProgram.memo("order 42")], recentBlockhash: blockhash)),
                signers: [payer])
            let transfer = try Transaction(
                message: .legacy(
                    try LegacyMessage(
                        payer: payer.publicKey, instructions: [SystemProgram.transfer(from: payer.publicKey, to: mint, lamports: 1)],
                        recentBlockhash: blockhash)),
                signers: [payer])
            let memoSignature = try await rpc.sendTransaction(memo, skipPreflight: true)
            _ = try await rpc.sendTransaction(transfer, skipPreflight: true)
            try await rpc.waitUntilConfirmed(memoSignature)

            let indexer = Indexer(
                store: IndexStore(client: client, logger: Self.logger), rpc: rpc, watched: watched, options: Self.options, logger: Self.logger)
            try await Self.running(indexer) {
                try await Self.withTimeout(.seconds(60), "the indexer catching up") { await indexer.caughtUp() }
            }
            var lines: [String] = []
            for try await (signature, line) in try await client.query(
                "SELECT signature, line FROM flutterbye.program_logs ORDER BY signature, line_index", logger: Self.logger
            ).decode((String, String).self) {
                #expect(signature == memoSignature.base58)
                lines.append(line)
            }
            #expect(lines.first == "Program \(MemoProgram.programID.base58) invoke [1]", "\(lines)")
            #expect(lines.contains { $0.contains("order 42") }, "\(lines)")
            #expect(try await Self.count(client, "SELECT count(*) FROM flutterbye.indexed_transactions") == 2)
            #expect(try await Self.count(client, "SELECT count(*) FROM flutterbye.index_cursors WHERE role = 'program'") == 1)
        }
    }

    /// The event data of `Tests/SolanaCoreTests/Vectors/anchor_events.json`: encoded by `construct` in Python, with
    /// the fields the decoder must give.
    struct AnchorVectors: Decodable {
        struct Case: Decodable {
            var name: String
            var data: String
            var fields: JSONValue?
        }
        var idls: [String: JSONValue]
        var cases: [Case]

        static func load() throws -> AnchorVectors {
            let url = Repository.root.appendingPathComponent("Tests/SolanaCoreTests/Vectors/anchor_events.json")
            return try JSONDecoder().decode(AnchorVectors.self, from: Data(contentsOf: url))
        }

        func named(_ name: String) throws -> Case { try #require(cases.first { $0.name == name }, "no vector \(name)") }

        /// The case's data as a `Program data:` line.
        static func line(_ vector: Case) -> String {
            "Program data: " + Data(Hex.decode(vector.data) ?? []).base64EncodedString()
        }
    }

    @Test("the program's own log lines keep their depth, and its Program data lines become Anchor events by the configured IDL")
    func theProgramsOwnLinesAndAnchorEventsAreKept() async throws {
        let vectors = try AnchorVectors.load()
        let minted = try vectors.named("token minted 1")
        let feePaid = try vectors.named("fee paid")
        let unknown = try vectors.named("unknown discriminator")
        let truncated = try vectors.named("truncated")
        let idl = try AnchorIDL(json: try JSONEncoder().encode(try #require(vectors.idls["anchor-0.30"])))
        try await Self.withIndexEnvironment(database: "index_program_events") { client, rpc, server in
            // The Memo program stands in for the Flutterbye program; the chain is told what the transaction logs.
            let program = MemoProgram.programID.base58
            let token = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
            let budget = "ComputeBudget111111111111111111111111111111"
            let logs = [
                "Program \(budget) invoke [1]", "Program \(budget) success",
                "Program \(program) invoke [1]", "Program log: Instruction: MintFlby", AnchorVectors.line(minted),
                "Program \(token) invoke [2]", AnchorVectors.line(feePaid), "Program \(token) consumed 4492 of 190000 compute units",
                "Program \(token) success", AnchorVectors.line(unknown), AnchorVectors.line(truncated),
                "Program \(program) consumed 12000 of 200000 compute units", "Program \(program) success",
                "Program \(token) invoke [1]", "Program \(program) invoke [2]", AnchorVectors.line(feePaid), "Program \(program) success",
                "Program \(token) success",
            ]
            let payer = Keypair.generate()
            _ = try await rpc.call("requestAirdrop", [.string(payer.publicKey.base58), .uint(1_000_000_000)], as: String.self)
            let blockhash = try await rpc.latestBlockhash(commitment: .processed).blockhash
            let transaction = try Transaction(
                message: .legacy(try LegacyMessage(payer: payer.publicKey, instructions: [MemoProgram.memo("events")], recentBlockhash: blockhash)),
                signers: [payer])
            let signature = transaction.id
            _ = try await server.control(["carried_logs": [signature.base58: logs]])
            #expect(try await rpc.sendTransaction(transaction, skipPreflight: true) == signature)
            try await rpc.waitUntilConfirmed(signature)

            let indexer = Indexer(
                store: IndexStore(client: client, logger: Self.logger), rpc: rpc,
                watched: WatchedAddresses(flbyMint: Keypair.generate().publicKey, programID: MemoProgram.programID), options: Self.options,
                logger: Self.logger, programIDL: idl)
            try await Self.running(indexer) {
                try await Self.withTimeout(.seconds(60), "the indexer catching up") { await indexer.caughtUp() }
            }

            var lines: [(index: Int32, depth: Int32?)] = []
            for try await (index, line, depth) in try await client.query(
                "SELECT line_index, line, depth FROM flutterbye.program_logs ORDER BY line_index", logger: Self.logger
            ).decode((Int32, String, Int32?).self) {
                #expect(line == logs[Int(index)])
                lines.append((index, depth))
            }
            #expect(lines.map(\.index) == [2, 3, 4, 9, 10, 11, 12, 14, 15, 16], "the program's frames, not the Token program's lines")
            #expect(lines.map(\.depth) == [1, 1, 1, 1, 1, 1, 1, 2, 2, 2])

            var events: [(name: String?, fields: JSONValue?, data: [UInt8], error: String?, line: Int32, depth: Int32)] = []
            for try await (name, fields, data, error, line, depth) in try await client.query(
                "SELECT name, fields::text, data, decode_error, line_index, depth FROM flutterbye.program_events ORDER BY event_index",
                logger: Self.logger
            ).decode((String?, String?, ByteBuffer, String?, Int32, Int32).self) {
                let parsed = try fields.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
                events.append((name, parsed, Array(data.readableBytesView), error, line, depth))
            }
            #expect(events.map(\.line) == [4, 9, 10, 15] && events.map(\.depth) == [1, 1, 1, 2])
            #expect(events.map(\.name) == ["TokenMinted", nil, "TokenMinted", "FeePaid"])
            #expect(try Self.jsonText(events.first?.fields) == Self.jsonText(minted.fields))
            #expect(try Self.jsonText(events.last?.fields) == Self.jsonText(feePaid.fields))
            #expect(
                events[1].fields == nil && events[1].error == nil
                    && "Program data: " + Data(events[1].data).base64EncodedString() == AnchorVectors.line(unknown))
            #expect(events[2].fields == nil && events[2].error?.contains("ends at byte 60") == true, "\(events[2].error ?? "nil")")
        }
    }

    /// JSON text with sorted keys: a number read back from jsonb and one decoded from a vector compare equal.
    static func jsonText(_ value: JSONValue?) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
