import ChainTestSupport
import FlutterbyeIndexer
import FlutterbyeStore
import FlutterbyeTestSupport
import Foundation
import PostgresNIO
import SolanaCore
import SolanaRPC
import Testing

/// An FLBY mint with Token-2022's TransferFee extension, made on the local chain by `Tests/LocalChain/transfer_fees.py`
/// (solana-py's builders, TransferCheckedWithFee from the program's layout; fees computed by Token-2022's rule, every
/// balance checked on the chain's accounts): withheld fees and their withdrawals are neither burns nor mints.
extension IndexerAcceptanceTests {
    struct TransferFeeHistory: Decodable {
        struct Step: Decodable {
            var name: String
            var signature: String
            var withheld: String
            var withdrawn: String
            var transferred: String
        }
        var mint: String
        var accounts: [String: String]
        var steps: [Step]
        var minted: String
        var burned: String
        var withheld: String
    }

    @Test("a Token-2022 FLBY mint with a transfer fee: fees withheld and withdrawn are their own movements, the supply is the chain's")
    func transferFeesAreNeitherBurnsNorMints() async throws {
        try await Self.withIndexEnvironment(database: "index_transfer_fees") { client, rpc, server in
            let made = try JSONDecoder().decode(
                TransferFeeHistory.self, from: try await Self.localChainScript("transfer_fees.py", rpcURL: server.url))
            let watched = WatchedAddresses(flbyMint: try PublicKey(base58: made.mint))
            let store = IndexStore(client: client, logger: Self.logger)
            let indexer = Indexer(store: store, rpc: rpc, watched: watched, options: Self.options, logger: Self.logger)
            try await Self.running(indexer) {
                try await Self.withTimeout(.seconds(60), "the indexer catching up") { await indexer.caughtUp() }
            }

            // Each transaction's movements by kind, against what the script sent.
            for step in made.steps {
                var sums: [String: String] = [:]
                for try await (kind, amount) in try await client.query(
                    "SELECT kind, sum(amount)::text FROM flutterbye.flby_movements WHERE signature = \(step.signature) GROUP BY kind",
                    logger: Self.logger
                ).decode((String, String).self) {
                    sums[kind] = amount
                }
                var expected: [String: String] = [:]
                if step.withheld != "0" { expected["fee_withheld"] = step.withheld }
                if step.withdrawn != "0" { expected["fee_withdrawn"] = step.withdrawn }
                if step.transferred != "0" { expected["transfer"] = step.transferred }
                if step.name == "mint" { expected["mint"] = made.minted }
                if step.name == "burn" { expected["burn"] = made.burned }
                #expect(sums == expected, "\(step.name)")
            }
            // A TransferChecked's fee follows it, from the same sender, withheld in the same account.
            let checked = try #require(made.steps.first { $0.name == "checked" })
            let rows = try await client.query(
                """
                SELECT kind, instruction_index, source_account, destination_account, amount::text FROM flutterbye.flby_movements
                WHERE signature = \(checked.signature) ORDER BY movement_index
                """, logger: Self.logger
            ).collect().map { try $0.decode((String, Int?, String?, String?, String).self) }
            let (alice, bob) = (made.accounts["alice"], made.accounts["bob"])
            #expect(rows.map(\.0) == ["transfer", "fee_withheld"] && rows.allSatisfy { $0.1 == 0 && $0.2 == alice && $0.3 == bob }, "\(rows)")

            let report = try await Reconciliation(store: store, rpc: rpc, watched: watched).run()
            #expect(report.differences.isEmpty, "\(report.differences)")
            let supply = try await client.query(
                "SELECT supply::text, minted::text, burned::text, withheld::text FROM flutterbye.flby_supply", logger: Self.logger
            )
            .collect().map { try $0.decode((String, String, String, String).self) }.first
            let chainSupply = try await rpc.tokenSupply(watched.flbyMint)
            #expect(supply?.0 == "\(chainSupply)" && supply?.1 == made.minted && supply?.2 == made.burned, "\(String(describing: supply))")
            #expect(supply?.3 == made.withheld, "\(String(describing: supply))")
        }
    }
}
